package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/scorer"
	"github.com/recsys/recsys/trainer"
)

// topics names every topic; each is a flag.
type topics struct {
	Events, DLQ, Interactions, Recommendations, Models, Catalog string
}

// infra is how to reach Kafka and Redis, shared by every stage.
type infra struct {
	Brokers         []string
	Redis           []string
	RedisPassword   string
	Prefix          string
	Partitions      int
	CreateTopics    bool
	Topics          topics
	MetricsAddr     string
	BatchLinger     time.Duration
	IngestWorkers   int
	ScorerWorkers   int
	ShutdownTimeout time.Duration
	CommitInterval  time.Duration
	LogFormat       string
	LogLevel        string
}

// config is everything `recsys run` and `recsys demo` configure.
type config struct {
	infra
	sec      security
	kafka    kafkaClients // built by finish from sec
	redisTLS *tls.Config  // built by finish from sec
	redisDB  int          // from a redis:// URL
	Ingest   ingest.Config
	Scorer   scorer.Config
	Trainer  trainer.Config
	Store    features.Config
	API      apiConfig
}

func (c *config) define(f *flagSet) {
	f.list(&c.Brokers, "brokers", "localhost:9092", "Kafka bootstrap brokers, comma-separated")
	f.list(&c.Redis, "redis", "localhost:6379", "Redis host:port; several = Redis Cluster; or one redis://[user[:password]@]host[:port][/db] URL (rediss:// for TLS)")
	f.str(&c.RedisPassword, "redis-password", "", "Redis password (AUTH)")
	f.str(&c.Store.Prefix, "prefix", "recsys", "prefix of every Redis key")
	f.int(&c.Partitions, "partitions", 4, "partitions of the topics created at start: as many as the consumers of a stage you will run (kafka-go fetches each partition in a loop of its own)")
	f.boolean(&c.CreateTopics, "create-topics", true, "create missing topics at start")
	f.str(&c.Topics.Events, "topic-events", "clickstream.events", "input clickstream topic")
	f.str(&c.Topics.DLQ, "topic-dlq", "clickstream.events.dlq", "dead-letter topic")
	f.str(&c.Topics.Interactions, "topic-interactions", "recsys.interactions", "normalized interaction log")
	f.str(&c.Topics.Recommendations, "topic-recommendations", "recsys.recommendations", "output topic")
	f.str(&c.Topics.Models, "topic-models", "recsys.models", "model announcements")
	f.str(&c.Topics.Catalog, "topic-catalog", "catalog.products", "compacted product catalog")
	f.str(&c.MetricsAddr, "metrics-addr", ":9100", "serve /metrics, /healthz, /readyz here; empty disables")
	f.str(&c.LogFormat, "log-format", "text", "text or json")
	f.str(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	f.int(&c.Store.HistoryLen, "history-len", 200, "events kept per user in Redis")
	f.dur(&c.BatchLinger, "batch-linger", 0, "after taking the records already fetched, wait this long for more before handling a batch (0: batches grow with the load alone)")
	f.dur(&c.CommitInterval, "commit-interval", 100*time.Millisecond, "commit consumed offsets in the background this often (0: synchronously after every batch)")
	f.dur(&c.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, finish and commit the batch in hand within this long")
	f.dur(&c.Store.PopularityHalfLife, "popularity-half-life", 72*time.Hour, "half-life of trending popularity")
	c.sec.define(f)
	c.defineStages(f)
}

func (c *config) defineStages(f *flagSet) {
	f.str(&c.Ingest.GroupID, "ingest-group", "recsys-ingest", "ingest consumer group")
	f.int(&c.IngestWorkers, "ingest-workers", 2, "ingest consumers in this process (group members; at most the partition count is useful)")
	f.int(&c.ScorerWorkers, "scorer-workers", 2, "scorer consumers in this process (group members)")
	f.int(&c.Ingest.BatchSize, "ingest-batch", 1000, "ingest records per batch")
	f.str(&c.Ingest.Format, "input-format", "auto", "input format: auto or a format name")
	f.str(&c.Ingest.SchemaRegistry, "schema-registry", "", "Confluent Schema Registry URL for Confluent-framed Avro; empty reads it with the embedded Event schema")
	f.str(&c.Scorer.GroupID, "scorer-group", "recsys-scorer", "scorer consumer group")
	f.int(&c.Scorer.N, "n", 16, "products per recommendation list")
	f.int(&c.Scorer.HistoryLen, "score-history", 50, "history events used per scoring")
	f.str(&c.Scorer.Format, "output-format", "json", "recommendation encoding: json or avro")
	f.boolean(&c.Scorer.ExcludeSeen, "exclude-seen", true, "never recommend items the user already interacted with")
	f.boolean(&c.Scorer.KeepPurchased, "keep-purchased", false, "allow recommending purchased items")
	defineScorerRules(f, &c.Scorer)
	c.API.define(f)
	f.str(&c.Trainer.Name, "model-name", "default", "model name")
	f.dur(&c.Trainer.Interval, "train-interval", 10*time.Minute, "time between training runs")
	f.dur(&c.Trainer.Window, "train-window", 30*24*time.Hour, "log window replayed per run (by record time)")
	f.int(&c.Trainer.MinEvents, "train-min-events", 50, "skip training with fewer interactions")
	f.float(&c.Trainer.Tolerance, "promote-tolerance", 0.02, "promote if NDCG@10 ≥ (1−tolerance)× current")
	f.weights(&c.Trainer.Blend, "blend", "transitions=1,sknn=1,als=0.3,bpr=0.3,popularity=0.05",
		"algorithms the trainer fits and their blend weights (name=weight,…; also gru)")
	f.boolean(&c.Trainer.TuneBlend, "tune-blend", true, "re-tune the blend weights each run on a validation split carved from training")
}

// finish copies shared settings into each stage's Config and validates all.
func (c *config) finish() error {
	in := &c.Ingest
	in.BatchLinger, in.ShutdownTimeout, in.CommitInterval = c.BatchLinger, c.ShutdownTimeout, c.CommitInterval
	c.Scorer.ShutdownTimeout, c.Scorer.BatchLinger, c.Scorer.CommitInterval = c.ShutdownTimeout, c.BatchLinger, c.CommitInterval
	in.Brokers, in.Topic, in.DLQTopic, in.OutputTopic, in.CatalogTopic =
		c.Brokers, c.Topics.Events, c.Topics.DLQ, c.Topics.Interactions, c.Topics.Catalog
	sc := &c.Scorer
	sc.Brokers, sc.Topic, sc.OutputTopic, sc.ModelsTopic, sc.ModelName =
		c.Brokers, c.Topics.Interactions, c.Topics.Recommendations, c.Topics.Models, c.Trainer.Name
	tr := &c.Trainer
	tr.Brokers, tr.Topic, tr.ModelsTopic = c.Brokers, c.Topics.Interactions, c.Topics.Models
	errs := []error{c.secure(), checkAddrs("brokers", c.Brokers)}
	errs = append(errs, c.Ingest.Validate(), c.Scorer.Validate(), c.Store.Validate())
	if len(c.Redis) == 0 {
		errs = append(errs, errors.New("no redis address"))
	}
	if c.Partitions < 1 {
		errs = append(errs, errors.New("partitions must be ≥ 1"))
	}
	if c.IngestWorkers < 1 || c.ScorerWorkers < 1 {
		errs = append(errs, errors.New("ingest and scorer workers must be ≥ 1"))
	}
	return joinErrs(errs)
}

func joinErrs(errs []error) error { return errors.Join(errs...) }

// workers is how many instances of a stage run in this process; the trainer is one.
func (c *config) workers(stage string) int {
	switch stage {
	case "ingest":
		return c.IngestWorkers
	case "scorer":
		return c.ScorerWorkers
	}
	return 1
}

// secure builds the Kafka and Redis security settings and hands them to the stages.
func (c *config) secure() error {
	k, err := c.sec.kafka()
	if err != nil {
		return err
	}
	c.kafka = k
	c.Ingest.TLS, c.Ingest.SASL = k.Dialer.TLS, k.Dialer.SASLMechanism
	c.Trainer.TLS, c.Trainer.SASL = k.Dialer.TLS, k.Dialer.SASLMechanism
	c.Scorer.TLS, c.Scorer.SASL = k.Dialer.TLS, k.Dialer.SASLMechanism
	if c.RedisPassword, err = secret(c.RedisPassword, c.sec.RedisPasswordFile); err != nil {
		return err
	}
	if err := c.resolveRedis(); err != nil {
		return err
	}
	if c.redisTLS, err = tlsConfig(c.sec.RedisTLS, c.sec.RedisCA, c.sec.RedisCert, c.sec.RedisKey); err != nil {
		return fmt.Errorf("redis TLS: %w", err)
	}
	return nil
}

func (c *config) redisClient() redis.UniversalClient {
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: c.Redis, Username: c.sec.RedisUser, Password: c.RedisPassword, TLSConfig: c.redisTLS, DB: c.redisDB,
	})
}

func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", c.LogLevel, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.LogFormat) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", c.LogFormat)
}
