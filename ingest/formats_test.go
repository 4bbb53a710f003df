package ingest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

func newPipeline(t *testing.T, cfg ingest.Config) *ingest.Pipeline {
	t.Helper()
	p, err := ingest.NewPipelineFor(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func purchase(id string) schemas.Event {
	return schemas.Event{EventID: id, UserID: "u1", SessionID: "s1", Type: schemas.Purchase, Product: "7",
		Variant: "8", Quantity: 2, Price: 3.5, Currency: "USD", Time: t0.Add(-time.Hour)}
}

func TestEachFormatIsDetectedPerRecordAndCanBePinned(t *testing.T) {
	t.Parallel()
	codecs, _ := schemas.NewCodecs()
	e := purchase("e1")
	jsonValue, _ := schemas.EncodeEventJSON(e)
	avroValue, _ := codecs.EncodeEvent(e)
	confluentValue, _ := codecs.EncodeEventConfluent(e, 3)
	values := map[string][]byte{"json": jsonValue, "avro": avroValue, "confluent-avro": confluentValue,
		"snowplow": snowplowSample(t, e), "snowplow-enriched": enrichedSample(t, e), "shopify": shopifySample(t, e)}
	auto := newPipeline(t, ingest.Config{})
	for name, v := range values {
		res, err := auto.Process(context.Background(), ingest.Record{Value: v, Time: t0})
		if err != nil || res.Err != nil || res.Format != name || len(res.Interactions) != 1 {
			t.Errorf("%s: %+v, %v", name, res, err)
			continue
		}
		if in := res.Interactions[0]; in.ProductGID != schemas.ProductGID(7) || in.VariantGID != schemas.VariantGID(8) || in.Quantity != 2 || in.Price != 3.5 {
			t.Errorf("%s: normalized to %+v", name, in)
		}
	}
	pinned := newPipeline(t, ingest.Config{Format: "shopify"})
	res, err := pinned.Process(context.Background(), ingest.Record{Value: values["snowplow"], Time: t0})
	if err != nil || res.Err == nil && len(res.Rejects) == 0 {
		t.Errorf("a Snowplow POST through a pipeline pinned to shopify: %+v, %v; want it rejected", res, err)
	}
}

func TestAPageViewKeepsAnUnknownHandleForTheCatalogToResolve(t *testing.T) {
	t.Parallel()
	v := []byte(`{"e":"pv","tv":"js","p":"web","eid":"pv1","duid":"d1","dtm":"1772449200000","url":"https://shop.example/en-us/products/red-hat?variant=9"}`)
	res, err := newPipeline(t, ingest.Config{}).Process(context.Background(), ingest.Record{Value: v, Time: t0})
	if err != nil || len(res.Interactions) != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	if in := res.Interactions[0]; in.ProductGID != ingest.HandlePrefix+"red-hat" || in.VariantGID != schemas.VariantGID(9) || in.Type != schemas.View {
		t.Fatalf("normalized to %+v, want a view of %sred-hat, variant 9", in, ingest.HandlePrefix)
	}
}

// malformedCase is one bad input: either the whole record is rejected with
// class, or it yields good events and rejects with the listed classes.
type malformedCase struct {
	name    string
	value   []byte
	class   ingest.Class
	good    int
	rejects []ingest.Class
}

func TestMalformedInputsAreRejectedWithTheirClass(t *testing.T) {
	t.Parallel()
	half, err := os.ReadFile("snowplow/testdata/tracker/post_half_valid.json")
	if err != nil {
		t.Fatal(err)
	}
	shopifyBatch, err := os.ReadFile("shopify/testdata/relay_batch_half_valid.json")
	if err != nil {
		t.Fatal(err)
	}
	ev := func(f func(map[string]string)) map[string]string {
		p := snowplowParams(t, purchase("e9"), "")
		f(p)
		return p
	}
	px := func(f func(map[string]any)) []byte {
		m := shopifyEvent(purchase("c9"), "client-9")
		f(m)
		return mustJSON(t, m)
	}
	item := func(m map[string]any) map[string]any {
		return m["data"].(map[string]any)["checkout"].(map[string]any)["lineItems"].([]any)[0].(map[string]any)
	}
	var many []any
	for range 21 {
		many = append(many, ev(func(map[string]string) {}))
	}
	cases := []malformedCase{
		{name: "text in no format", value: []byte("hello there"), class: ingest.Malformed},
		{name: "a truncated Snowplow POST", value: snowplowPayload(t)[:40], class: ingest.Malformed},
		{name: "a Snowplow POST over the events limit", value: snowplowPayload(t, many...), class: ingest.TooLarge},
		{name: "a half-valid Snowplow POST", value: half, good: 1, rejects: []ingest.Class{ingest.InvalidValue, ingest.MissingField,
			ingest.MissingField, ingest.InvalidValue, ingest.InvalidValue, ingest.Malformed, ingest.UnsupportedSchema,
			ingest.MissingField, ingest.InvalidValue, ingest.InvalidValue, ingest.Malformed}},
		{name: "a uid with a space", value: snowplowPayload(t, ev(func(p map[string]string) { p["uid"] = "user 1" })), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a dtm that is not a number", value: snowplowPayload(t, ev(func(p map[string]string) { p["dtm"] = "12:00" })), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a dtm two days ahead", value: snowplowPayload(t, ev(func(p map[string]string) { p["dtm"] = "1772622000000" })), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a product id with a slash", value: snowplowPayload(t, snowplowParams(t, schemas.Event{EventID: "x", UserID: "u", Type: schemas.View, Product: "a/b", Time: t0}, "")), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "an enriched event without event", value: []byte(`{"collector_tstamp":"2026-03-02T11:00:00Z","event_id":"x"}`), rejects: []ingest.Class{ingest.MissingField}},
		{name: "an enriched action of model 2", value: []byte(`{"collector_tstamp":"2026-03-02T11:00:00Z","event":"unstruct","user_id":"u",
			"unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_2":{"type":"product_view"}}`), rejects: []ingest.Class{ingest.UnsupportedSchema}},
		{name: "a half-valid relayed Shopify batch", value: shopifyBatch, good: 1, rejects: []ingest.Class{ingest.InvalidValue,
			ingest.MissingField, ingest.InvalidValue, ingest.InvalidValue, ingest.MissingField, ingest.MissingField, ingest.Malformed}},
		{name: "a negative quantity", value: px(func(m map[string]any) { item(m)["quantity"] = -1 }), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a NaN price", value: px(func(m map[string]any) { item(m)["variant"].(map[string]any)["price"] = map[string]any{"amount": "NaN"} }), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a currency that is no ISO code", value: px(func(m map[string]any) {
			item(m)["variant"].(map[string]any)["price"] = map[string]any{"amount": 1, "currencyCode": "US Dollar"}
		}), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a variant id with a space", value: px(func(m map[string]any) { item(m)["variant"].(map[string]any)["id"] = "4 2" }), rejects: []ingest.Class{ingest.InvalidValue}},
		{name: "a checkout over the line items limit", value: px(func(m map[string]any) {
			c := m["data"].(map[string]any)["checkout"].(map[string]any)
			c["lineItems"] = []any{item(m), item(m), item(m)}
		}), rejects: []ingest.Class{ingest.TooLarge}},
		{name: "a Confluent frame of garbage", value: []byte{0, 0, 0, 0, 3, 0xff, 0xff}, class: ingest.Malformed},
	}
	p := newPipeline(t, ingest.Config{Limits: ingest.Limits{MaxEventsPerRecord: 20, MaxLineItems: 2}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkMalformed(t, p, c) })
	}
}

func checkMalformed(t *testing.T, p *ingest.Pipeline, c malformedCase) {
	t.Helper()
	res, err := p.Process(context.Background(), ingest.Record{Value: c.value, Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	if c.class != "" {
		if res.Err == nil || res.Err.Class != c.class {
			t.Fatalf("record error %v, want class %s", res.Err, c.class)
		}
		return
	}
	if res.Err != nil || len(res.Interactions) != c.good || len(res.Rejects) != len(c.rejects) {
		t.Fatalf("%d good, rejects %+v, err %v; want %d good and %d rejects", len(res.Interactions), res.Rejects, res.Err, c.good, len(c.rejects))
	}
	for k, r := range res.Rejects {
		if r.Err.Class != c.rejects[k] {
			t.Errorf("reject %d (event %d): %v is %s, want %s", k, r.Index, r.Err, r.Err.Class, c.rejects[k])
		}
	}
}

// TestSecretsReachNeitherInteractionsNorErrors runs every tracker test
// input, whose secret-bearing fields (URLs with tokens, ip, ua, tnuid,
// nuid, emails, addresses, checkout tokens) hold "SECRET", through the
// pipeline.
func TestSecretsReachNeitherInteractionsNorErrors(t *testing.T) {
	t.Parallel()
	var paths []string
	for _, glob := range []string{"snowplow/testdata/*/*.json", "snowplow/testdata/*/*.txt", "shopify/testdata/*.json"} {
		m, _ := filepath.Glob(glob)
		paths = append(paths, m...)
	}
	p := newPipeline(t, ingest.Config{})
	secrets := 0
	for _, path := range paths {
		v, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		secrets += strings.Count(string(v), "SECRET")
		res, err := p.Process(context.Background(), ingest.Record{Value: v, Time: t0})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, r := range res.Rejects {
			texts = append(texts, r.Err.Error())
		}
		if res.Err != nil {
			texts = append(texts, res.Err.Error())
		}
		out, _ := json.Marshal(res.Interactions)
		if all := string(out) + strings.Join(texts, "\n"); strings.Contains(all, "SECRET") {
			t.Errorf("%s: a secret reached the output: %s", path, all)
		}
	}
	if secrets < 20 {
		t.Fatalf("only %d secrets in the test inputs: the test checks nothing", secrets)
	}
}

func TestARegistryOutageFailsTheBatchInsteadOfRejectingIt(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
	}))
	defer gone.Close()
	codecs, _ := schemas.NewCodecs()
	v, _ := codecs.EncodeEventConfluent(purchase("e1"), 77)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res, err := newPipeline(t, ingest.Config{SchemaRegistry: slow.URL}).ProcessBatch(ctx, []ingest.Record{{Value: v, Time: t0}})
	if err == nil || res != nil {
		t.Fatalf("a registry that does not answer: %+v, %v; want an error and no verdict", res, err)
	}
	one, err := newPipeline(t, ingest.Config{SchemaRegistry: gone.URL}).Process(context.Background(), ingest.Record{Value: v, Time: t0})
	if err != nil || one.Err == nil || one.Err.Class != ingest.UnsupportedSchema {
		t.Fatalf("an id the registry does not know: %+v, %v; want unsupported_schema", one, err)
	}
	if err := (ingest.Config{Brokers: []string{"b:9092"}, SchemaRegistry: "registry:8081"}).Validate(); err == nil || !strings.Contains(err.Error(), "schema registry") {
		t.Errorf("Validate accepted a registry URL without a scheme: %v", err)
	}
}
