package trainer

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/schemas"
)

// outcomes of a training run.
var outcomes = []string{"promoted", "rejected", "skipped", "failed", "cancelled"}

type metrics struct {
	runs          *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	snapshotBytes prometheus.Gauge
	trainedAt     prometheus.Gauge
	quality       *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_trainer_runs_total", Help: "Training runs by outcome (promoted, rejected, skipped, failed, cancelled).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "recsys_trainer_run_seconds", Help: "Duration of training runs, by outcome.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
		}, []string{"outcome"}),
		snapshotBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "recsys_trainer_snapshot_bytes", Help: "Size of the last promoted snapshot.",
		}),
		trainedAt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "recsys_trainer_promoted_timestamp_seconds", Help: "When the current model was promoted.",
		}),
		quality: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "recsys_trainer_model_metric", Help: "Holdout metrics of the last promoted model (only its own).",
		}, []string{"metric"}),
	}
	for _, c := range []prometheus.Collector{m.runs, m.duration, m.snapshotBytes, m.trainedAt, m.quality} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, o := range outcomes { // every series exists from the start, at zero
		m.runs.WithLabelValues(o)
		m.duration.WithLabelValues(o)
	}
	return m, nil
}

// finish counts and times one run by its outcome.
func (m *metrics) finish(outcome string, took time.Duration) {
	m.runs.WithLabelValues(outcome).Inc()
	m.duration.WithLabelValues(outcome).Observe(took.Seconds())
}

// promoted shows the promoted model; metrics of an earlier model that this
// one lacks (another blend, another configuration) are dropped.
func (m *metrics) promoted(u schemas.ModelUpdate) {
	m.trainedAt.Set(float64(u.TrainedAt.Unix()))
	m.quality.Reset()
	for k, v := range u.Metrics {
		m.quality.WithLabelValues(k).Set(v)
	}
}
