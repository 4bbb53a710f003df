package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

// lockedBuffer collects a stage's log lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// registryServing answers GET /schemas/ids/5 with the embedded Event schema
// and every other id with the registry's 404.
func registryServing(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/schemas/ids/5" {
			_ = json.NewEncoder(w).Encode(map[string]string{"schema": schemas.Schemas()["Event"]})
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// mixedRecords is a stream in every format with bad records among the
// good; want maps the event id of every good event to its user.
func mixedRecords(t *testing.T, h *harness) (msgs []kafka.Message, want map[string]string) {
	ts := t0.Add(-time.Hour)
	view := func(id, user, product string) schemas.Event {
		return schemas.Event{EventID: id, UserID: user, SessionID: "s", Type: schemas.View, Product: product, Quantity: 1, Time: ts}
	}
	pv := func(eid, url string, extra map[string]string) map[string]string {
		p := map[string]string{"e": "pv", "eid": eid, "tv": "js-3", "p": "web", "duid": "device-d", "sid": "s",
			"dtm": "1772445600000", "url": url, "ip": "SECRET-ip", "ua": "SECRET-ua", "tnuid": "SECRET-tnuid"}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	atc := snowplowParams(t, schemas.Event{EventID: "sp-atc", UserID: "user-u", SessionID: "s", Type: schemas.AddToCart,
		Product: "11", Quantity: 1, Price: 5, Currency: "USD", Time: ts}, "device-d")
	listView := pv("sp-list", "https://shop.example/collections/hats", map[string]string{"e": "ue",
		"ue_pr": `{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":{"schema":"` + actionSchema + `","data":{"type":"list_view"}}}`})
	post := snowplowPayload(t,
		pv("sp-pv1", "https://shop.example/products/wool-beanie?token=SECRET-reset", nil),
		pv("sp-pv2", "https://shop.example/en-us/products/unknown-hat?variant=3", nil),
		atc, listView,
		pv("sp-bad", "https://shop.example/products/x?token=SECRET-login", map[string]string{"dtm": "soon"}))
	enriched := mustJSON(t, map[string]any{"event": "unstruct", "event_id": "en-tx", "user_id": "user-e",
		"domain_userid": "user-e", "collector_tstamp": ts.Format(time.RFC3339), "user_ipaddress": "SECRET-ip",
		"unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1": map[string]string{"type": "transaction"},
		"contexts_com_snowplowanalytics_snowplow_ecommerce_product_1": []any{
			map[string]any{"id": "21", "price": 2, "currency": "EUR", "quantity": 1},
			map[string]any{"id": "22", "price": 3, "currency": "EUR", "quantity": 2}}})
	anonView := mustJSON(t, shopifyEvent(view("sh-view", "", "31"), "client-k"))
	checkout := shopifyEvent(schemas.Event{EventID: "sh-co", UserID: "customer-c", Type: schemas.Purchase, Product: "32",
		Variant: "320", Quantity: 1, Price: 10, Currency: "USD", Time: ts.Add(time.Minute)}, "client-k")
	c := checkout["data"].(map[string]any)["checkout"].(map[string]any)
	for _, p := range []string{"33", "34"} {
		more := map[string]any{"quantity": 2, "variant": map[string]any{"id": p + "0", "product": map[string]any{"id": p},
			"price": map[string]any{"amount": 1.5, "currencyCode": "USD"}}}
		c["lineItems"] = append(c["lineItems"].([]any), more)
	}
	confluentGood, _ := h.codecs.EncodeEventConfluent(view("cf-1", "user-a", "41"), 5)
	confluentUnknown, _ := h.codecs.EncodeEventConfluent(view("cf-2", "user-a", "42"), 6)
	canonical, _ := schemas.EncodeEventJSON(view("js-1", "user-j", "51"))
	huge := snowplowPayload(t, pv("sp-huge", "https://shop.example/products/"+strings.Repeat("h", 70<<10), nil))
	msg := func(key string, v []byte) kafka.Message { return kafka.Message{Key: []byte(key), Value: v, Time: t0} }
	msgs = []kafka.Message{
		msg("device-d", post), msg("user-e", enriched), msg("client-k", anonView), msg("client-k", anonView),
		msg("client-k", mustJSON(t, checkout)), msg("user-a", confluentGood), msg("user-a", confluentUnknown),
		msg("user-j", canonical), msg("x", []byte("hello, not an event")), msg("device-d", huge),
	}
	want = map[string]string{"sp-pv1": "device-d", "sp-pv2": "device-d", "sp-atc": "user-u", "en-tx#0": "user-e",
		"en-tx#1": "user-e", "sh-view": "client-k", "sh-co#0": "customer-c", "sh-co#1": "customer-c",
		"sh-co#2": "customer-c", "cf-1": "user-a", "js-1": "user-j"}
	return msgs, want
}

func TestAMixOfFormatsAndBadRecordsGoesThroughOnceEach(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	if err := h.store.PutProducts(ctx, []schemas.Product{{GID: schemas.ProductGID(99), Handle: "wool-beanie", Available: true}}); err != nil {
		t.Fatal(err)
	}
	cfg := h.cfg
	cfg.SchemaRegistry = registryServing(t)
	cfg.Limits.MaxRecordBytes = 64 << 10
	msgs, want := mixedRecords(t, h)
	h.produce(msgs...)
	var logs lockedBuffer
	reg := prometheus.NewRegistry()
	s, err := ingest.New(cfg, h.store, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), reg)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	r := &running{reg: reg}
	eventually(t, "17 events handled", func() bool { return r.events() == 17 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	checkOutput(t, h, want)
	checkDLQ(t, h)
	checkRedis(t, h, want)
	for outcome, n := range map[string]float64{"applied": 11, "duplicate": 1, "ignored": 1, "rejected": 4} {
		if got := r.outcome(outcome); got != n {
			t.Errorf("%s events: %v, want %v", outcome, got, n)
		}
	}
	if strings.Contains(logs.String(), "SECRET") {
		t.Errorf("a secret reached the logs:\n%s", logs.String())
	}
}

func checkOutput(t *testing.T, h *harness, want map[string]string) {
	t.Helper()
	out := h.readAll(h.cfg.OutputTopic)
	seen := map[string]int{}
	for _, m := range out {
		if bytes.Contains(m.Value, []byte("SECRET")) {
			t.Errorf("output record %s carries a secret", m.Key)
		}
	}
	for id, in := range h.interactions(out) {
		seen[id]++
		if want[id] != in.UserID {
			t.Errorf("interaction %s of user %q, want %q", id, in.UserID, want[id])
		}
	}
	if len(out) != len(want) || len(seen) != len(want) {
		t.Errorf("%d output records, %d distinct; want each of %d good events once", len(out), len(seen), len(want))
	}
}

func checkDLQ(t *testing.T, h *harness) {
	t.Helper()
	classes := map[string]int{}
	for _, m := range h.readAll(h.cfg.DLQTopic) {
		classes[header(m, ingest.HeaderErrorClass)]++
		for _, hd := range m.Headers {
			if bytes.Contains(hd.Value, []byte("SECRET")) {
				t.Errorf("DLQ header %s quotes a secret: %s", hd.Key, hd.Value)
			}
		}
		if header(m, ingest.HeaderErrorClass) == "invalid_value" && header(m, ingest.HeaderEventIndex) != "4" {
			t.Errorf("the bad event of the POST has event_index %q, want 4", header(m, ingest.HeaderEventIndex))
		}
	}
	wantClasses := map[string]int{"invalid_value": 1, "unsupported_schema": 1, "malformed": 1, "too_large": 1}
	for c, n := range wantClasses {
		if classes[c] != n {
			t.Errorf("DLQ classes %v, want %v", classes, wantClasses)
			break
		}
	}
}

func checkRedis(t *testing.T, h *harness, want map[string]string) {
	t.Helper()
	ctx := context.Background()
	perUser := map[string]map[string]int{}
	for _, u := range []string{"device-d", "user-u", "user-e", "client-k", "customer-c", "user-a", "user-j"} {
		hist, err := h.store.History(ctx, u, 100)
		if err != nil {
			t.Fatal(err)
		}
		perUser[u] = map[string]int{}
		for _, e := range hist {
			perUser[u][e.EventID]++
			if e.EventID == "sp-pv1" && e.ProductGID != schemas.ProductGID(99) {
				t.Errorf("the known handle was stored as %s, want its GID", e.ProductGID)
			}
			if e.EventID == "sp-pv2" && e.ProductGID != ingest.HandlePrefix+"unknown-hat" {
				t.Errorf("the unknown handle was stored as %s", e.ProductGID)
			}
		}
	}
	for id, u := range want {
		if perUser[u][id] != 1 {
			t.Errorf("history of %s holds %s %d times, want once", u, id, perUser[u][id])
		}
	}
	// The anonymous histories were merged into the logged-in users.
	for anon, user := range map[string]string{"device-d": "user-u", "client-k": "customer-c"} {
		if to, err := h.store.AliasOf(ctx, anon); err != nil || to != user {
			t.Errorf("AliasOf(%s) = %q, %v; want %s", anon, to, err, user)
		}
		for id, u := range want {
			if u == anon && perUser[user][id] != 1 {
				t.Errorf("%s's history holds %s of %s %d times, want once (merged)", user, id, anon, perUser[user][id])
			}
		}
	}
}
