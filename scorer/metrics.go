package scorer

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/schemas"
)

type metrics struct {
	events     *prometheus.CounterVec
	lists      *prometheus.CounterVec
	coalesced  prometheus.Counter
	debounced  prometheus.Counter
	swaps      prometheus.Counter
	retries    prometheus.Counter
	batchSize  prometheus.Histogram
	batchSecs  prometheus.Histogram
	redis      prometheus.Histogram
	produce    prometheus.Histogram
	latency    prometheus.Histogram
	attributed *prometheus.CounterVec
	attrLists  *prometheus.GaugeVec
	attrEvents *prometheus.GaugeVec
	attrRate   *prometheus.GaugeVec
	api        *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	buckets := prometheus.ExponentialBuckets(0.0001, 2, 16)
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	histogram := func(name, help string) prometheus.Histogram {
		return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	}
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_scorer_events_total", Help: "Interactions consumed by outcome.",
		}, []string{"outcome"}),
		lists: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_scorer_recommendations_total",
			Help: "Recommendation lists produced, by reason: personalized (a model ranked it), popular (a cold start), backfill (the model ran short).",
		}, []string{"reason"}),
		coalesced: counter("recsys_scorer_coalesced_total", "Events folded into a later event of the same user in one batch."),
		debounced: counter("recsys_scorer_debounced_total", "Events held for a user's trailing list (a burst within --debounce)."),
		swaps:     counter("recsys_scorer_model_swaps_total", "Model versions loaded."),
		retries:   counter("recsys_scorer_retries_total", "Batches retried after a transient failure."),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_scorer_batch_size", Help: "Interactions per scorer batch.", Buckets: prometheus.ExponentialBuckets(1, 2, 15),
		}),
		batchSecs: histogram("recsys_scorer_batch_seconds", "Finishing one batch: reading, ranking, producing, recording and committing, retries included."),
		redis:     histogram("recsys_scorer_redis_seconds", "Reading the user state and the exposures of a batch (one round trip)."),
		produce:   histogram("recsys_scorer_produce_seconds", "Producing a batch of lists."),
		latency:   histogram("recsys_event_to_recommendation_seconds", "From the input event's Kafka timestamp to its list being produced (lists answered at once)."),
		attributed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_scorer_attributed_total", Help: "Events on a recommended product within the attribution window, counted by this process.",
		}, []string{"role", "type"}),
		attrLists:  gauge("recsys_attribution_lists", "Lists produced per model version (all replicas, from Redis).", "role", "model_version"),
		attrEvents: gauge("recsys_attribution_events", "Events attributed to a version's lists (all replicas, from Redis).", "role", "model_version", "type"),
		attrRate: gauge("recsys_attribution_rate",
			"Attributed events per list: type=view is the click-through rate, add_to_cart and purchase the conversion rates.", "role", "model_version", "type"),
		api: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_api_requests_total", Help: "Pull API requests by outcome.",
		}, []string{"outcome"}),
	}
	for _, r := range []string{schemas.ReasonPersonalized, schemas.ReasonPopular, schemas.ReasonBackfill} {
		m.lists.WithLabelValues(r)
	}
	for _, c := range []prometheus.Collector{m.events, m.lists, m.coalesced, m.debounced, m.swaps, m.retries, m.batchSize, m.batchSecs, m.redis,
		m.produce, m.latency, m.attributed, m.attrLists, m.attrEvents, m.attrRate, m.api} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
