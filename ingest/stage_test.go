package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

func TestGoodRecordsComeOutAsNormalizedInteractionsKeyedByUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	if err := h.store.PutProducts(ctx, []schemas.Product{{GID: schemas.ProductGID(3), Handle: "blue-shirt", Available: true}}); err != nil {
		t.Fatal(err)
	}
	h.produce(goodRecords(t, h)...)
	r := h.start(h.cfg)
	eventually(t, "10 events applied", func() bool { return r.outcome("applied") == 10 })
	r.stop()

	out := h.readAll(h.cfg.OutputTopic)
	got := h.interactions(out)
	want := map[string]string{
		"e-gid": schemas.ProductGID(1), "e-numeric": schemas.ProductGID(2), "e-handle": schemas.ProductGID(3),
		"e-unknown-handle": "handle:mystery-mug", "e-avro": schemas.ProductGID(4), "e-confluent": schemas.ProductGID(5),
		"e-arr-0": schemas.ProductGID(6), "e-arr-1": schemas.ProductGID(7), "e-skewed": schemas.ProductGID(9),
	}
	for id, gid := range want {
		if got[id].ProductGID != gid {
			t.Errorf("%s: product %q, want %q", id, got[id].ProductGID, gid)
		}
	}
	if len(out) != 10 || len(got) != 10 {
		t.Fatalf("%d output records, %d distinct events; want 10", len(out), len(got))
	}
	for id, in := range got {
		if strings.HasPrefix(id, ingest.DerivedIDPrefix) && (in.UserID != "u7" || in.ProductGID != schemas.ProductGID(8)) {
			t.Errorf("derived id %s on %+v", id, in)
		}
		if in.Source.Topic != h.cfg.Topic {
			t.Errorf("%s: source %v", id, in.Source)
		}
	}
	if g := got["e-gid"]; g.VariantGID != schemas.VariantGID(11) || g.Currency != "USD" || g.Price != 9.5 || g.Quantity != 1 || !g.Time.Equal(t0.Add(-time.Hour)) {
		t.Errorf("e-gid normalized to %+v", g)
	}
	if g := got["e-skewed"]; !g.Time.Equal(t0) {
		t.Errorf("an event an hour ahead of its record: ts %v, want clamped to %v", g.Time, t0)
	}
	for _, m := range out {
		if v := header(m, ingest.HeaderSourceTS); v != strconv.FormatInt(t0.UnixMilli(), 10) {
			t.Errorf("%s header %q, want the record timestamp %d", ingest.HeaderSourceTS, v, t0.UnixMilli())
		}
	}
	hist, err := h.store.History(ctx, "u3", 10)
	if err != nil || len(hist) != 1 || hist[0].ProductGID != schemas.ProductGID(3) {
		t.Errorf("history of u3: %+v, %v", hist, err)
	}
	if n := len(h.readAll(h.cfg.DLQTopic)); n != 0 {
		t.Errorf("%d DLQ records for good input", n)
	}
}

// goodRecords are ten valid events in every format and product spelling:
// a GID, a numeric id, a known and an unknown handle, Avro, Confluent Avro,
// no event id, a JSON array of two, and a ts clamped for skew.
func goodRecords(t *testing.T, h *harness) []kafka.Message {
	t.Helper()
	ts := t0.Add(-time.Hour)
	avro, err := h.codecs.EncodeEvent(schemas.Event{EventID: "e-avro", UserID: "u5", Type: schemas.AddToCart, Product: "4", Quantity: 2, Time: ts})
	if err != nil {
		t.Fatal(err)
	}
	confluent, err := h.codecs.EncodeEventConfluent(schemas.Event{EventID: "e-confluent", UserID: "u6", Type: schemas.Purchase, Product: schemas.ProductGID(5), Price: 20, Currency: "EUR", Time: ts}, 7)
	if err != nil {
		t.Fatal(err)
	}
	batch := []byte(`[{"event_id":"e-arr-0","user_id":"u8","type":"view","product":"6","ts":1772449200000},
	                  {"event_id":"e-arr-1","user_id":"u8","type":"view","product":"7","ts":"2026-03-02T11:00:01Z"}]`)
	return []kafka.Message{
		h.event(schemas.Event{EventID: "e-gid", UserID: "u1", Type: schemas.View, Product: schemas.ProductGID(1), Variant: "11", Price: 9.5, Currency: "usd", Time: ts}),
		h.event(schemas.Event{EventID: "e-numeric", UserID: "u2", Type: schemas.View, Product: "2", Time: ts}),
		h.event(schemas.Event{EventID: "e-handle", UserID: "u3", Type: schemas.View, Product: "blue-shirt", Time: ts}),
		h.event(schemas.Event{EventID: "e-unknown-handle", UserID: "u4", Type: schemas.View, Product: "mystery-mug", Time: ts}),
		kafka.Message{Key: []byte("u5"), Value: avro, Time: t0},
		kafka.Message{Key: []byte("u6"), Value: confluent, Time: t0},
		h.event(schemas.Event{UserID: "u7", Type: schemas.View, Product: "8", Time: ts}), // no event id
		kafka.Message{Key: []byte("u8"), Value: batch, Time: t0},
		h.event(schemas.Event{EventID: "e-skewed", UserID: "u9", Type: schemas.View, Product: "9", Time: t0.Add(time.Hour)}),
	}
}

func TestBadInputGoesToTheDLQWithItsClassAndOriginalBytes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	cases := badInputs(t, h)
	var msgs []kafka.Message
	for k, c := range cases {
		user := "good" + strconv.Itoa(k)
		msgs = append(msgs, h.event(schemas.Event{EventID: "g" + strconv.Itoa(k), UserID: user, Type: schemas.View, Product: "1", Time: t0}),
			kafka.Message{Key: []byte("bad" + strconv.Itoa(k)), Value: []byte(c.value), Time: t0,
				Headers: []kafka.Header{{Key: "authorization", Value: []byte("Bearer secret")}}})
	}
	h.produce(msgs...)
	cfg := h.cfg
	cfg.Limits.MaxRecordBytes = 4096
	r := h.start(cfg)
	eventually(t, "every record handled", func() bool { return r.events() == float64(2*len(cases)+1) })
	r.stop()

	dlq := map[string]kafka.Message{}
	for _, m := range h.readAll(h.cfg.DLQTopic) {
		dlq[string(m.Key)] = m
	}
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, ok := dlq["bad"+strconv.Itoa(k)]
			switch {
			case !ok:
				t.Fatal("not in the DLQ")
			case header(m, ingest.HeaderErrorClass) != c.class:
				t.Errorf("class %q (%s), want %q", header(m, ingest.HeaderErrorClass), header(m, ingest.HeaderError), c.class)
			case !bytes.Equal(m.Value, []byte(c.value)):
				t.Errorf("value %q, want the original bytes", m.Value)
			case c.errText != "" && header(m, ingest.HeaderError) != c.errText:
				t.Errorf("error %q, want %q", header(m, ingest.HeaderError), c.errText)
			case header(m, ingest.HeaderEventIndex) != c.index:
				t.Errorf("event_index %q, want %q", header(m, ingest.HeaderEventIndex), c.index)
			case header(m, "authorization") != "":
				t.Error("the input's headers were copied")
			case header(m, ingest.HeaderSourceTopic) != h.cfg.Topic || header(m, ingest.HeaderSourceOffset) == "" || header(m, ingest.HeaderSourcePartition) == "":
				t.Errorf("source headers %v", m.Headers)
			}
		})
	}
	if len(dlq) != len(cases) {
		t.Errorf("%d DLQ records, want %d", len(dlq), len(cases))
	}
	got := h.interactions(h.readAll(h.cfg.OutputTopic))
	for k := range cases {
		if _, ok := got["g"+strconv.Itoa(k)]; !ok {
			t.Errorf("good record g%d next to a bad one is missing", k)
		}
	}
	if _, ok := got["arr-good"]; !ok || len(got) != len(cases)+1 {
		t.Errorf("%d interactions (arr-good present: %v), want %d", len(got), ok, len(cases)+1)
	}
	if n := metric(r.reg, "recsys_ingest_dlq_total", ""); n != float64(len(cases)) {
		t.Errorf("recsys_ingest_dlq_total = %v, want %d", n, len(cases))
	}
}

// badInput is a record the stage must park in the DLQ.
type badInput struct {
	name, value, class string
	errText            string // the exact error header, when it matters
	index              string // the event_index header, for a multi-event record
}

func badInputs(t *testing.T, h *harness) []badInput {
	t.Helper()
	product, err := h.codecs.EncodeProduct(schemas.Product{GID: schemas.ProductGID(1), Available: true})
	if err != nil {
		t.Fatal(err)
	}
	avro, err := h.codecs.EncodeEvent(schemas.Event{EventID: "e", UserID: "u", Type: schemas.View, Product: "1", Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	const good = `"event_id":"%s","type":"view","product":"1","ts":"2026-03-02T11:00:00Z"`
	return []badInput{
		{name: "a value that is not JSON is malformed", value: "hello", class: "malformed"},
		{name: "a truncated JSON object is malformed", value: `{"user_id":`, class: "malformed"},
		{name: "a user id of the wrong type is malformed", value: `{"user_id":5,"event_id":"x","type":"view","product":"1","ts":1}`, class: "malformed"},
		{name: "a ts that is not a time is malformed", value: `{"user_id":"u","type":"view","product":"1","ts":"yesterday"}`, class: "malformed"},
		{name: "an empty value is malformed", value: "", class: "malformed"},
		{name: "a truncated Avro event is malformed", value: string(avro[:14]), class: "malformed"},
		{name: "an event without user_id is missing a field", value: `{"event_id":"x","type":"view","product":"1","ts":"2026-03-02T11:00:00Z"}`, class: "missing_field", errText: "field user_id: missing"},
		{name: "an event without product is missing a field", value: `{"user_id":"u","type":"view","ts":"2026-03-02T11:00:00Z"}`, class: "missing_field", errText: "field product: missing"},
		{name: "an event without type is missing a field", value: `{"user_id":"u","product":"1","ts":"2026-03-02T11:00:00Z"}`, class: "missing_field", errText: "field type: missing"},
		{name: "an event without ts is missing a field", value: `{"user_id":"u","type":"view","product":"1"}`, class: "missing_field", errText: "field ts: missing"},
		{name: "an unknown type is an invalid value", value: `{"user_id":"u","type":"like","product":"1","ts":"2026-03-02T11:00:00Z"}`, class: "invalid_value"},
		{name: "a user id with a space is an invalid value", value: `{"user_id":"u 1","type":"view","product":"1","ts":"2026-03-02T11:00:00Z"}`, class: "invalid_value", errText: "field user_id: contains whitespace"},
		{name: "an event id with a space is an invalid value", value: `{"event_id":"e 1","user_id":"u","type":"view","product":"1","ts":"2026-03-02T11:00:00Z"}`, class: "invalid_value", errText: "field event_id: contains whitespace"},
		{name: "a product URL is an invalid value", value: `{"user_id":"u","type":"view","product":"https://shop/products/x","ts":"2026-03-02T11:00:00Z"}`, class: "invalid_value"},
		{name: "a negative quantity is an invalid value", value: `{"user_id":"u","type":"view","product":"1","quantity":-1,"ts":"2026-03-02T11:00:00Z"}`, class: "invalid_value"},
		{name: "a ts two days ahead of the record is an invalid value", value: `{"user_id":"u","type":"view","product":"1","ts":"2026-03-04T12:00:00Z"}`, class: "invalid_value"},
		{name: "a ts two years before the record is an invalid value", value: `{"user_id":"u","type":"view","product":"1","ts":"2024-03-02T12:00:00Z"}`, class: "invalid_value"},
		{name: "a record over the size limit is too large", value: `{"pad":"` + strings.Repeat("x", 5000) + `"}`, class: "too_large"},
		{name: "a Product sent as an event is an unsupported schema", value: string(product), class: "unsupported_schema"},
		{name: "a bad event in an array is rejected alone, by index", value: `[{"user_id":"ok",` + strings.Replace(good, "%s", "arr-good", 1) + `},{"user_id":"bad id",` + strings.Replace(good, "%s", "arr-bad", 1) + `}]`, class: "invalid_value", index: "1"},
	}
}

// With no linger a batch is what the reader already holds: a backlog goes
// through in big batches, and a lone record is handled on its own.
func TestABacklogIsTakenInBigBatchesWithoutALinger(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var backlog []kafka.Message
	for k := range 2000 {
		backlog = append(backlog, h.event(schemas.Event{EventID: fmt.Sprintf("b%d", k), UserID: fmt.Sprintf("u%d", k%50),
			Type: schemas.View, Product: "7", Time: t0}))
	}
	h.produce(backlog...)
	cfg := h.cfg
	cfg.BatchLinger = 0
	r := h.start(cfg)
	eventually(t, "the backlog handled", func() bool { return r.events() == 2000 })
	if batches := metric(r.reg, "recsys_ingest_batch_size", ""); batches > 200 {
		t.Errorf("2000 waiting records took %.0f batches; want them taken many at a time", batches)
	}
	before := metric(r.reg, "recsys_ingest_batch_size", "")
	h.produce(h.event(schemas.Event{EventID: "lone", UserID: "u1", Type: schemas.View, Product: "7", Time: t0}))
	eventually(t, "the lone record handled", func() bool { return r.events() == 2001 })
	if got := metric(r.reg, "recsys_ingest_batch_size", "") - before; got != 1 {
		t.Errorf("the lone record took %.0f batches; want 1", got)
	}
}
