package scorer

import (
	"errors"
	"fmt"
	"time"
)

// Config configures the scorer Stage.
type Config struct {
	Brokers []string
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
	// HistoryLen events of history used for scoring. Default: 50.
	HistoryLen int
	// Format of output values: "json" or "avro" (single-object). Default: "json".
	Format string
	// ExcludePurchased drops items the user bought. Default: true (set via KeepPurchased).
	KeepPurchased bool
	// ExcludeSeen drops items the user interacted with at all. Default: false.
	ExcludeSeen bool
	// BatchSize bounds records per batch. Default: 500.
	BatchSize int
	// BatchLinger waits this long for more records after the first. Default: 1ms.
	BatchLinger time.Duration
	// ProduceLinger is the writer's batch timeout (kafka-go's 1s default is a latency floor). Default: 1ms.
	ProduceLinger time.Duration
	// PollInterval re-reads the current model pointer in case an announcement was missed. Default: 30s.
	PollInterval time.Duration
	// ShutdownTimeout bounds finishing the batch in hand after cancel. Default: 10s.
	ShutdownTimeout time.Duration
}

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
	num(&c.N, 16)
	num(&c.HistoryLen, 50)
	num(&c.BatchSize, 500)
	dur(&c.BatchLinger, time.Millisecond)
	dur(&c.ProduceLinger, time.Millisecond)
	dur(&c.PollInterval, 30*time.Second)
	dur(&c.ShutdownTimeout, 10*time.Second)
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
	if c.BatchLinger < 0 || c.ProduceLinger < 0 || c.PollInterval < 0 {
		errs = append(errs, errors.New("scorer: durations must not be negative"))
	}
	return errors.Join(errs...)
}
