package trainer

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/schemas"
)

type metrics struct {
	runs          *prometheus.CounterVec
	duration      prometheus.Histogram
	snapshotBytes prometheus.Gauge
	trainedAt     prometheus.Gauge
	quality       *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recsys_trainer_runs_total", Help: "Training runs by outcome (promoted, rejected, skipped, failed).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recsys_trainer_run_seconds", Help: "Duration of promoted training runs.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
		}),
		snapshotBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "recsys_trainer_snapshot_bytes", Help: "Size of the last promoted snapshot.",
		}),
		trainedAt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "recsys_trainer_promoted_timestamp_seconds", Help: "When the current model was promoted.",
		}),
		quality: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "recsys_trainer_model_metric", Help: "Holdout metrics of the last promoted model.",
		}, []string{"metric"}),
	}
	for _, c := range []prometheus.Collector{m.runs, m.duration, m.snapshotBytes, m.trainedAt, m.quality} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(u schemas.ModelUpdate, took time.Duration) {
	m.runs.WithLabelValues("promoted").Inc()
	m.duration.Observe(took.Seconds())
	m.trainedAt.Set(float64(u.TrainedAt.Unix()))
	for k, v := range u.Metrics {
		m.quality.WithLabelValues(k).Set(v)
	}
}
