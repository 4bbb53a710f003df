package ingest

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/features"
)

// Outcomes of an event, the outcome label of recsys_ingest_events_total.
const (
	outcomeRejected = "rejected"
	outcomeIgnored  = "ignored"
)

// Outcomes of a catalog record, the outcome label of recsys_ingest_catalog_total.
const (
	catalogStored   = "stored"
	catalogDelisted = "delisted"
	catalogRejected = "rejected"
)

type metrics struct {
	events     *prometheus.CounterVec
	dlq        *prometheus.CounterVec
	catalog    *prometheus.CounterVec
	batchSize  prometheus.Histogram
	redisSecs  prometheus.Histogram
	produceSec prometheus.Histogram
	retries    *prometheus.CounterVec
}

// newMetrics creates the stage's metrics and registers them on reg (none
// when reg is nil). Every label value starts at zero, so dashboards and
// alerts see the series before the first event of its kind.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	latency := prometheus.ExponentialBuckets(0.0001, 2, 16) // 100µs .. 3.3s
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_ingest_events_total",
			Help: "Events ingested, by outcome: applied, replayed (a redelivery, forwarded again), duplicate (same event id from another record, dropped), rejected (to the DLQ), ignored (not an interaction).",
		}, []string{"outcome"}),
		dlq: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_ingest_dlq_total",
			Help: "Records written to the DLQ, by error class.",
		}, []string{"class"}),
		catalog: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_ingest_catalog_total",
			Help: "Catalog records, by outcome: stored, delisted, rejected.",
		}, []string{"outcome"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_ingest_batch_size", Help: "Records per ingest batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 15),
		}),
		redisSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_ingest_redis_seconds", Help: "Time to apply one batch to Redis (successful attempts).", Buckets: latency,
		}),
		produceSec: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_ingest_produce_seconds", Help: "Time to produce one batch's output and DLQ records (successful attempts).", Buckets: latency,
		}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_ingest_retries_total",
			Help: "Operations retried after a transient failure (Redis, the broker or the schema registry down), by operation.",
		}, []string{"op"}),
	}
	for _, o := range []string{features.Applied.String(), features.Replayed.String(), features.Duplicate.String(), outcomeRejected, outcomeIgnored} {
		m.events.WithLabelValues(o)
	}
	for _, c := range classes() {
		m.dlq.WithLabelValues(string(c))
	}
	for _, o := range []string{catalogStored, catalogDelisted, catalogRejected} {
		m.catalog.WithLabelValues(o)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.events, m.dlq, m.catalog, m.batchSize, m.redisSecs, m.produceSec, m.retries} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering ingest metrics: %w", err)
		}
	}
	return m, nil
}
