package ingest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go/sasl"
)

// CatalogOff as Config.CatalogTopic disables the catalog loop.
const CatalogOff = "-"

// FormatAuto as Config.Format detects the format of each record.
const FormatAuto = "auto"

// Config configures a Stage. Zero values take the documented defaults.
type Config struct {
	// Brokers are the Kafka bootstrap addresses (host:port). Required.
	Brokers []string
	// TLS encrypts connections to Kafka when set. Default: plaintext.
	TLS *tls.Config
	// SASL authenticates to Kafka when set (PLAIN, SCRAM). Default: none.
	SASL sasl.Mechanism
	// Topic carries the raw clickstream. Default: "clickstream.events".
	Topic string
	// DLQTopic receives bad input: original bytes plus reason headers.
	// Default: "clickstream.events.dlq".
	DLQTopic string
	// OutputTopic receives normalized interactions (Avro single-object, key =
	// user id). Default: "recsys.interactions".
	OutputTopic string
	// CatalogTopic carries catalog products (key = product GID, tombstone =
	// delisted); CatalogOff ("-") disables the catalog loop.
	// Default: "catalog.products".
	CatalogTopic string
	// GroupID is the consumer group of the event loop; the catalog loop uses
	// GroupID+"-catalog". Default: "recsys-ingest".
	GroupID string
	// BatchSize is the most records handled (and produced) per batch.
	// Default: 1000.
	BatchSize int
	// BatchLinger is how long, after taking the records already fetched,
	// ingest waits for more before handling a batch. Go's timers are coarse
	// (a wait under 1ms often takes 1ms), and batches grow with the load
	// anyway. Default: 0, no wait.
	BatchLinger time.Duration
	// CommitInterval is how often the offsets of finished batches are
	// committed, in the background: a commit is then not a round trip in
	// every batch's path, and a crash redelivers at most this much more.
	// Default: 0, a synchronous commit after every batch.
	CommitInterval time.Duration
	// Format is FormatAuto ("auto") or the name of one Format to decode every
	// record with ("confluent-avro", "avro", "snowplow", "snowplow-enriched",
	// "shopify", "json"). Default: "auto".
	Format string
	// SchemaRegistry is the base URL of a Confluent Schema Registry
	// (http://host:8081; userinfo is sent as basic auth) that resolves the
	// writer schemas of Confluent-framed Avro. Empty reads every payload with
	// the embedded Event schema. Default: "".
	SchemaRegistry string
	// Limits bound what a record may contain.
	Limits Limits
	// ShutdownTimeout bounds finishing the batch in hand after the context is
	// cancelled; a batch not finished in time is not committed and will be
	// redelivered. Default: 10s.
	ShutdownTimeout time.Duration
}

// Limits bound input. Event times are checked against the Kafka timestamp
// of the record that carried them, not the wall clock, so reprocessing a
// topic gives the same result.
type Limits struct {
	// MaxRecordBytes rejects larger values as too_large without decoding
	// them. Default: 1 MiB.
	MaxRecordBytes int
	// MaxStringLen caps ids, handles and other strings. Default: 256.
	MaxStringLen int
	// MaxFutureSkew: an event time at most this far ahead of its record's
	// timestamp is kept as sent. Default: 5m.
	MaxFutureSkew time.Duration
	// MaxFuture: an event time further ahead than MaxFutureSkew but at most
	// this far is clamped to the record's timestamp; beyond, the event is
	// rejected. Default: 24h.
	MaxFuture time.Duration
	// MaxAge rejects events older than this relative to their record's
	// timestamp. Default: 400 days.
	MaxAge time.Duration
	// MaxEventsPerRecord rejects a Snowplow POST or a relayed array of
	// Shopify events holding more events as too_large. Default: 500.
	MaxEventsPerRecord int
	// MaxLineItems rejects a checkout or transaction with more line items
	// (product entities) as too_large. Default: 500.
	MaxLineItems int
}

func (l Limits) withDefaults() Limits {
	setInt(&l.MaxRecordBytes, 1<<20)
	setInt(&l.MaxStringLen, 256)
	setDur(&l.MaxFutureSkew, 5*time.Minute)
	setDur(&l.MaxFuture, 24*time.Hour)
	setDur(&l.MaxAge, 400*24*time.Hour)
	setInt(&l.MaxEventsPerRecord, 500)
	setInt(&l.MaxLineItems, 500)
	return l
}

func (l Limits) validate() []error {
	var errs []error
	if l.MaxRecordBytes < 1 {
		errs = append(errs, fmt.Errorf("ingest: max record bytes %d: must be positive", l.MaxRecordBytes))
	}
	if l.MaxStringLen < 1 {
		errs = append(errs, fmt.Errorf("ingest: max string length %d: must be positive", l.MaxStringLen))
	}
	if l.MaxFutureSkew < 0 || l.MaxFuture < l.MaxFutureSkew {
		errs = append(errs, fmt.Errorf("ingest: future skew %v and max future %v: need 0 ≤ skew ≤ max", l.MaxFutureSkew, l.MaxFuture))
	}
	if l.MaxAge <= 0 {
		errs = append(errs, fmt.Errorf("ingest: max age %v: must be positive", l.MaxAge))
	}
	if l.MaxEventsPerRecord < 1 || l.MaxLineItems < 1 {
		errs = append(errs, fmt.Errorf("ingest: max events per record %d and max line items %d: must be positive", l.MaxEventsPerRecord, l.MaxLineItems))
	}
	return errs
}

func (c Config) withDefaults() Config {
	setStr(&c.Topic, "clickstream.events")
	setStr(&c.DLQTopic, "clickstream.events.dlq")
	setStr(&c.OutputTopic, "recsys.interactions")
	setStr(&c.CatalogTopic, "catalog.products")
	setStr(&c.GroupID, "recsys-ingest")
	setStr(&c.Format, FormatAuto)
	setInt(&c.BatchSize, 1000)
	setDur(&c.ShutdownTimeout, 10*time.Second)
	c.Limits = c.Limits.withDefaults()
	return c
}

// Validate reports every invalid field of c (after defaults), one error per
// rule, joined.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if len(c.Brokers) == 0 || slices.Contains(c.Brokers, "") {
		errs = append(errs, errors.New("ingest: brokers: at least one, none empty"))
	}
	topics := []string{c.Topic, c.DLQTopic, c.OutputTopic}
	if c.CatalogTopic != CatalogOff {
		topics = append(topics, c.CatalogTopic)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(topics)))) != len(topics) {
		errs = append(errs, fmt.Errorf("ingest: topics %q: input, DLQ, output and catalog must differ", topics))
	}
	if c.BatchSize < 1 || c.BatchSize > 100_000 {
		errs = append(errs, fmt.Errorf("ingest: batch size %d: must be in 1..100000", c.BatchSize))
	}
	if c.BatchLinger < 0 || c.ShutdownTimeout < 0 || c.CommitInterval < 0 {
		errs = append(errs, errors.New("ingest: batch linger, commit interval and shutdown timeout must not be negative"))
	}
	if c.Format != FormatAuto && !slices.Contains(formatNames(), c.Format) {
		errs = append(errs, fmt.Errorf("ingest: format %q: want %q or one of %q", c.Format, FormatAuto, formatNames()))
	}
	errs = append(errs, c.Limits.validate()...)
	errs = append(errs, c.validateRegistry()...)
	return errors.Join(errs...)
}

func setStr(v *string, d string) {
	if *v == "" {
		*v = d
	}
}

func setInt(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

func setDur(v *time.Duration, d time.Duration) {
	if *v == 0 {
		*v = d
	}
}
