package scorer

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	events    *prometheus.CounterVec
	lists     prometheus.Counter
	coalesced prometheus.Counter
	swaps     prometheus.Counter
	retries   prometheus.Counter
	redis     prometheus.Histogram
	produce   prometheus.Histogram
	latency   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	buckets := prometheus.ExponentialBuckets(0.0001, 2, 16)
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_scorer_events_total", Help: "Interactions consumed by outcome.",
		}, []string{"outcome"}),
		lists: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recsys_scorer_recommendations_total", Help: "Recommendation lists produced.",
		}),
		coalesced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recsys_scorer_coalesced_total", Help: "Events folded into a later event of the same user in one batch.",
		}),
		swaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recsys_scorer_model_swaps_total", Help: "Model versions loaded.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recsys_scorer_retries_total", Help: "Batches retried after a transient failure.",
		}),
		redis: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_scorer_redis_seconds", Help: "Reading user state for a batch.", Buckets: buckets,
		}),
		produce: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_scorer_produce_seconds", Help: "Producing a batch of lists.", Buckets: buckets,
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_event_to_recommendation_seconds", Help: "From the input event's Kafka timestamp to its list being produced.", Buckets: buckets,
		}),
	}
	for _, c := range []prometheus.Collector{m.events, m.lists, m.coalesced, m.swaps, m.retries, m.redis, m.produce, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
