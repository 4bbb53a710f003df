package trainer

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"

	"github.com/recsys/recsys/schemas"
)

// transport and dialer carry the Kafka security settings to clients.
func (c Config) transport() *kafka.Transport {
	return &kafka.Transport{TLS: c.TLS, SASL: c.SASL, DialTimeout: 10 * time.Second}
}

func (c Config) dialer() *kafka.Dialer {
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: c.TLS, SASLMechanism: c.SASL}
}

// Config configures the trainer Stage.
type Config struct {
	Brokers []string
	// TLS encrypts connections to Kafka when set. Default: plaintext.
	TLS *tls.Config
	// SASL authenticates to Kafka when set (PLAIN, SCRAM). Default: none.
	SASL sasl.Mechanism
	// Topic is the interaction log replayed. Default: "recsys.interactions".
	Topic string
	// ModelsTopic receives a ModelUpdate per promotion. Default: "recsys.models".
	ModelsTopic string
	// Name of the model (the key of its snapshots and announcements). Default: "default".
	Name string
	// Interval between training runs; the first run starts at once. Default: 10m.
	Interval time.Duration
	// FirstRetry is the interval while no model exists yet. Default: 5s.
	FirstRetry time.Duration
	// Window replays records appended within this long before the run. Default: 30 days.
	Window time.Duration
	// MinEvents skips a run with fewer interactions. Default: 50.
	MinEvents int
	// Blend names the algorithms fitted and their blend weights.
	// Default: transitions 1, popularity 0.05.
	Blend map[string]float64
	// TuneBlend replaces the Blend weights before each run by a search on a
	// validation split carved from the run's training data (never the gate's
	// holdout). Default: false.
	TuneBlend bool
	// Weights of event types as feedback strength. Default: features.DefaultWeights.
	Weights map[schemas.EventType]float64
	// Tolerance: promote when the candidate's NDCG@10 on the holdout is at least
	// (1−Tolerance)× the current model's. Default: 0.02.
	Tolerance float64
	// Keep this many snapshot versions (the current one always). Default: 5.
	Keep int
	// Threads bounds fitting parallelism. Default: GOMAXPROCS.
	Threads int
	// Seed for fitting. Default: 1.
	Seed int64
}

func (c Config) withDefaults() Config {
	if c.Topic == "" {
		c.Topic = "recsys.interactions"
	}
	if c.ModelsTopic == "" {
		c.ModelsTopic = "recsys.models"
	}
	if c.Name == "" {
		c.Name = "default"
	}
	if c.Interval == 0 {
		c.Interval = 10 * time.Minute
	}
	if c.FirstRetry == 0 {
		c.FirstRetry = 5 * time.Second
	}
	if c.Window == 0 {
		c.Window = 30 * 24 * time.Hour
	}
	if c.MinEvents == 0 {
		c.MinEvents = 50
	}
	if c.Blend == nil {
		c.Blend = map[string]float64{"transitions": 1, "popularity": 0.05}
	}
	if c.Tolerance == 0 {
		c.Tolerance = 0.02
	}
	if c.Keep == 0 {
		c.Keep = 5
	}
	if c.Threads == 0 {
		c.Threads = runtime.GOMAXPROCS(0)
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Validate reports every invalid field, one per line.
func (c Config) Validate(reg Registry) error {
	c = c.withDefaults()
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("trainer: no brokers"))
	}
	if c.Interval < time.Second || c.Window < time.Minute {
		errs = append(errs, errors.New("trainer: interval must be ≥ 1s and window ≥ 1m"))
	}
	if c.Tolerance < 0 || c.Tolerance >= 1 {
		errs = append(errs, fmt.Errorf("trainer: tolerance %v must be in [0, 1)", c.Tolerance))
	}
	if c.Keep < 1 {
		errs = append(errs, errors.New("trainer: keep must be ≥ 1"))
	}
	for name, w := range c.Blend {
		if _, err := reg.Lookup(name); err != nil {
			errs = append(errs, fmt.Errorf("trainer: blend: %w", err))
		}
		if w < 0 {
			errs = append(errs, fmt.Errorf("trainer: blend weight of %s is negative", name))
		}
	}
	return errors.Join(errs...)
}

// hash identifies the configuration that shaped a snapshot (lineage).
func (c Config) hash() string {
	b, _ := json.Marshal(struct {
		Window    time.Duration
		Blend     map[string]float64
		Weights   map[schemas.EventType]float64
		Seed      int64
		Tolerance float64
	}{c.Window, c.Blend, c.Weights, c.Seed, c.Tolerance})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
