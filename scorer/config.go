package scorer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
)

// Writer writes records, each to its own Topic, and returns once the broker
// has them all.
type Writer interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Config configures the scorer Stage.
type Config struct {
	Brokers []string
	// TLS encrypts connections to Kafka when set. Default: plaintext.
	TLS *tls.Config
	// SASL authenticates to Kafka when set (PLAIN, SCRAM). Default: none.
	SASL sasl.Mechanism
	// Writer produces the lists to OutputTopic and ShadowTopic; the caller
	// owns it. Run requires it (the pull API does not): an ingest/produce
	// Producer (a batch in one request per broker, the low-latency choice)
	// or a kafka-go Writer with no Topic.
	Writer Writer
	// Topic of normalized interactions. Default: "recsys.interactions".
	Topic string
	// OutputTopic of recommendations. Default: "recsys.recommendations".
	OutputTopic string
	// ModelsTopic announces new model versions. Default: "recsys.models".
	ModelsTopic string
	// GroupID of the consumer group. Default: "recsys-scorer".
	GroupID string
	// ModelName to serve. Default: "default".
	ModelName string
	// N items per list. Default: 16.
	N int
	// HistoryLen events of history used for scoring (and for the per-type
	// exclusion windows of Rules.ExcludeEvents other than purchases). Default: 50.
	HistoryLen int
	// Format of output values: "json" or "avro" (single-object). Default: "json".
	Format string
	// Rules applied to the ranked candidates.
	Rules
	// Debounce: after a user's list goes out, that user's further events
	// within this window are answered by one trailing list at the window's
	// end, for the latest of them. A lone event is answered at once. 0
	// disables. Default: 0.
	Debounce time.Duration
	// AttributionWindow: a view, add-to-cart or purchase of a product that a
	// list recommended to the user at most this long before (event time) is
	// counted for that list's model version. Default: 24h.
	AttributionWindow time.Duration
	// ShadowModel names a model scored alongside the served one, its lists
	// emitted to ShadowTopic and attributed separately. With only
	// ShadowVersion set it is ModelName. Default: "" (no shadow).
	ShadowModel string
	// ShadowVersion pins the shadow's version; "" follows its current one.
	ShadowVersion string
	// ShadowTopic receives the shadow model's lists. Default: "recsys.recommendations.shadow".
	ShadowTopic string
	// BatchSize bounds records per batch. Default: 500.
	BatchSize int
	// BatchLinger waits this long for more records after taking those
	// already fetched. Default: 0, no wait (see ingest.Config.BatchLinger).
	BatchLinger time.Duration
	// CommitInterval commits offsets in the background this often (see
	// ingest.Config.CommitInterval). Default: 0, after every batch.
	CommitInterval time.Duration
	// PollInterval re-reads the current model pointer in case an announcement was missed. Default: 30s.
	PollInterval time.Duration
	// CacheTTL: how long a Stage reuses the catalog entries (availability,
	// category) and trending lists it read from Redis; a delisting takes
	// effect at most this late. Negative disables the cache. Default: 1s.
	CacheTTL time.Duration
	// RefreshInterval: how often the exploration pool and the attribution
	// gauges are re-read from Redis. Default: 30s.
	RefreshInterval time.Duration
	// ShutdownTimeout bounds finishing the batch in hand after cancel. Default: 10s.
	ShutdownTimeout time.Duration
}

// Shadowed reports whether a shadow model is configured.
func (c Config) Shadowed() bool { return c.ShadowModel != "" || c.ShadowVersion != "" }

func (c Config) withDefaults() Config {
	str := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	num := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	str(&c.Topic, "recsys.interactions")
	str(&c.OutputTopic, "recsys.recommendations")
	str(&c.ModelsTopic, "recsys.models")
	str(&c.GroupID, "recsys-scorer")
	str(&c.ModelName, "default")
	str(&c.Format, "json")
	str(&c.ShadowTopic, "recsys.recommendations.shadow")
	if c.ShadowVersion != "" {
		str(&c.ShadowModel, c.ModelName)
	}
	num(&c.N, 16)
	num(&c.HistoryLen, 50)
	num(&c.BatchSize, 500)
	dur(&c.PollInterval, 30*time.Second)
	dur(&c.RefreshInterval, 30*time.Second)
	dur(&c.CacheTTL, time.Second)
	dur(&c.ShutdownTimeout, 10*time.Second)
	dur(&c.AttributionWindow, 24*time.Hour)
	c.Rules = c.Rules.withDefaults()
	return c
}

// Validate reports every invalid field, one per line.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("scorer: no brokers"))
	}
	if c.N < 1 || c.N > 1000 {
		errs = append(errs, fmt.Errorf("scorer: n=%d must be in 1..1000", c.N))
	}
	if c.HistoryLen < 1 || c.BatchSize < 1 {
		errs = append(errs, errors.New("scorer: history length and batch size must be positive"))
	}
	if c.Format != "json" && c.Format != "avro" {
		errs = append(errs, fmt.Errorf("scorer: format %q must be json or avro", c.Format))
	}
	if c.BatchLinger < 0 || c.CommitInterval < 0 || c.PollInterval < 0 || c.Debounce < 0 || c.AttributionWindow < 0 {
		errs = append(errs, errors.New("scorer: durations must not be negative"))
	}
	if c.Shadowed() && c.ShadowModel == c.ModelName && c.ShadowVersion == "" {
		errs = append(errs, fmt.Errorf("scorer: the shadow of model %q needs a version or another model name", c.ModelName))
	}
	if c.Shadowed() && c.ShadowTopic == c.OutputTopic {
		errs = append(errs, errors.New("scorer: the shadow topic must differ from the output topic"))
	}
	errs = append(errs, c.Rules.validate()...)
	return errors.Join(errs...)
}

// dialer carries the Kafka security settings to readers.
func (c Config) dialer() *kafka.Dialer {
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: c.TLS, SASLMechanism: c.SASL}
}
