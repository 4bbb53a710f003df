package ingest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

// BenchmarkIngest measures records/s through decode → validate → Redis →
// produce → commit, with an in-process broker and a real redis-server.
// Allocations include the in-process broker's.
func BenchmarkIngest(b *testing.B) {
	h := newHarness(b, harnessOptions{})
	cfg := h.cfg
	cfg.CatalogTopic = ingest.CatalogOff
	const chunk = 10_000
	for start := 0; start < b.N; start += chunk {
		var msgs []kafka.Message
		for k := start; k < min(b.N, start+chunk); k++ {
			msgs = append(msgs, h.event(schemas.Event{
				EventID: fmt.Sprint("e", k), UserID: fmt.Sprint("u", k%1000), Type: schemas.EventTypes[k%3],
				Product: fmt.Sprint(1 + k%500), Time: t0.Add(-time.Duration(b.N-k) * time.Millisecond),
			}))
		}
		h.produce(msgs...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	r := h.start(cfg)
	deadline := time.Now().Add(10 * time.Minute)
	for r.events() < float64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("%v of %d events after 10 minutes", r.events(), b.N)
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	r.stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(metric(r.reg, "recsys_ingest_batch_size", ""), "batches")
	b.ReportMetric(histogramSum(r, "recsys_ingest_redis_seconds")/b.Elapsed().Seconds(), "redis-share")
	b.ReportMetric(histogramSum(r, "recsys_ingest_produce_seconds")/b.Elapsed().Seconds(), "produce-share")
}

// BenchmarkDecode measures decode + validate + normalize of one record per
// format (no catalog lookup).
func BenchmarkDecode(b *testing.B) {
	codecs, err := schemas.NewCodecs()
	if err != nil {
		b.Fatal(err)
	}
	e := schemas.Event{EventID: "0b6e1c9e-4d55-4f0e-9f43-2b1c7f0a9d11", UserID: "4e9b0c2a-73d1-4f58-9b3e-2a6c8d1f0e57",
		SessionID: "s-1", Type: schemas.AddToCart, Product: "10334950129995", Variant: "51234567890123",
		Quantity: 1, Price: 1299, Currency: "USD", Time: t0.Add(-time.Second)}
	jsonValue, _ := schemas.EncodeEventJSON(e)
	avroValue, _ := codecs.EncodeEvent(e)
	confluentValue, _ := codecs.EncodeEventConfluent(e, 1)
	p, err := ingest.NewPipeline(ingest.DefaultFormats(codecs), ingest.FormatAuto, ingest.Limits{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		value []byte
	}{{"json", jsonValue}, {"avro", avroValue}, {"confluent-avro", confluentValue}} {
		b.Run(c.name, func(b *testing.B) {
			rec := ingest.Record{Value: c.value, Time: t0}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.value)))
			for b.Loop() {
				res, err := p.Process(context.Background(), rec)
				if err != nil || len(res.Interactions) != 1 {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
}

func histogramSum(r *running, name string) float64 {
	families, _ := r.reg.Gather()
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetHistogram().GetSampleSum()
		}
	}
	return 0
}
