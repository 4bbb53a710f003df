package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/produce"
	"github.com/recsys/recsys/schemas"
)

// Retry backoff for transient failures (Redis or a broker down).
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

// Stage is the ingest stage: it consumes the raw clickstream and the catalog
// and writes Redis, the normalized interaction log and the DLQ. Run it once
// at a time; start more processes in the same group to scale out.
type Stage struct {
	cfg    Config
	store  *features.Store
	codecs *schemas.Codecs
	pipe   *Pipeline
	log    *slog.Logger
	m      *metrics
}

// New returns a Stage. cfg is validated and defaulted; metrics are
// registered on reg (not at all when reg is nil); log may be nil to discard.
func New(cfg Config, store *features.Store, log *slog.Logger, reg prometheus.Registerer) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("ingest: a features store is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	codecs, err := schemas.NewCodecs()
	if err != nil {
		return nil, fmt.Errorf("building codecs: %w", err)
	}
	formats, err := cfg.formats(codecs)
	if err != nil {
		return nil, err
	}
	pipe, err := NewPipeline(formats, cfg.Format, cfg.Limits, store)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	return &Stage{cfg: cfg, store: store, codecs: codecs, pipe: pipe, log: log, m: m}, nil
}

// Run consumes until ctx is cancelled, then finishes and commits the batch
// in hand (bounded by ShutdownTimeout), closes its readers and writers and
// returns nil. The event loop and the catalog loop run side by side.
func (s *Stage) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.runEvents(ctx) })
	if s.cfg.CatalogTopic != CatalogOff {
		g.Go(func() error { return s.runCatalog(ctx) })
	}
	return g.Wait()
}

// fetch blocks for one record, then takes the records the reader already
// holds (as many as arrived while the last batch was handled: batches grow
// with the load, and a quiet stream waits for nothing), up to BatchSize.
// With a BatchLinger it then waits that long for more.
func (s *Stage) fetch(ctx context.Context, r *kafka.Reader) ([]kafka.Message, error) {
	first, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	held := queued(r)
	msgs := make([]kafka.Message, 1, min(s.cfg.BatchSize, 1+held)) // not BatchSize: most batches are small
	msgs[0] = first
	for ; held > 0 && len(msgs) < s.cfg.BatchSize; held = queued(r) {
		for ; held > 0 && len(msgs) < s.cfg.BatchSize; held-- {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				return msgs, nil
			}
			msgs = append(msgs, m)
		}
	}
	if s.cfg.BatchLinger <= 0 {
		return msgs, nil
	}
	lctx, cancel := context.WithTimeout(ctx, s.cfg.BatchLinger)
	defer cancel()
	for len(msgs) < s.cfg.BatchSize {
		m, err := r.FetchMessage(lctx)
		if err != nil {
			if lctx.Err() == nil {
				s.log.Warn("fetching records", "topic", r.Config().Topic, "err", err)
			}
			break
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// retry calls op until it succeeds or ctx ends, backing off from 100ms
// doubling to 5s. Only for idempotent operations.
func (s *Stage) retry(ctx context.Context, what string, op func(context.Context) error) error {
	delay := backoffMin
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		s.m.retries.WithLabelValues(what).Inc()
		s.log.Warn("retrying", "op", what, "attempt", attempt, "backoff", delay, "err", err)
		sleep(ctx, delay)
		delay = min(2*delay, backoffMax)
	}
}

// inHand returns the context for finishing a batch already fetched: it
// ignores ctx's cancellation for up to grace, so shutdown completes work in
// hand but is still bounded. The returned cancel must be called.
func inHand(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-hctx.Done(): // the batch finished
		}
	})
	return hctx, func() { stop(); cancel() }
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// queued is how many fetched records r holds, which FetchMessage returns
// without waiting. kafka-go has no non-blocking fetch, and one with a done
// context picks at random between the record and the error. (Stats costs
// some atomics: ask once per run of records, not per record.)
func queued(r *kafka.Reader) int { return int(r.Stats().QueueLength) }

func (s *Stage) newReader(topic, group string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:        s.cfg.Brokers,
		GroupID:        group,
		Topic:          topic,
		StartOffset:    kafka.FirstOffset,
		CommitInterval: s.cfg.CommitInterval, // 0: CommitMessages returns once the broker has the offsets
		QueueCapacity:  s.cfg.BatchSize,
		MinBytes:       1,
		MaxBytes:       max(10<<20, 2*s.cfg.Limits.MaxRecordBytes),
		MaxWait:        500 * time.Millisecond,
		// kafka-go sleeps ReadBackoffMin (default 100ms) after a fetch that
		// missed its own deadline, which idle fetches sometimes do: a 100ms
		// latency spike. Back off from 2ms instead.
		ReadBackoffMin: 2 * time.Millisecond,
		ReadBackoffMax: time.Second,
		Dialer:         &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: s.cfg.TLS, SASLMechanism: s.cfg.SASL},
		ErrorLogger:    s.kafkaLogger(topic),
	})
}

// newWriter returns a producer for any topic (each message names its own).
func (s *Stage) newWriter() (*produce.Producer, error) {
	return produce.New(produce.Config{Brokers: s.cfg.Brokers, TLS: s.cfg.TLS, SASL: s.cfg.SASL, MaxBatchBytes: writerBatchBytes})
}

func (s *Stage) kafkaLogger(topic string) kafka.Logger {
	return kafka.LoggerFunc(func(msg string, args ...any) {
		s.log.Warn("kafka client: "+fmt.Sprintf(msg, args...), "topic", topic)
	})
}
