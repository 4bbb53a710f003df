package scorer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// Ranker ranks products for one user. Implementations are immutable and safe
// for concurrent use (a trainer snapshot is one).
type Ranker interface {
	// Rank returns at most n products for a user with history h (oldest
	// first), none of exclude, and the reason (personalized or popular).
	Rank(h []features.Entry, n int, exclude []string) ([]schemas.ScoredItem, string)
	// Version names the model.
	Version() string
}

// Loader loads a model version; "" means the current one. It returns an error
// wrapping features.ErrNotFound when there is no model yet.
type Loader func(ctx context.Context, version string) (Ranker, error)

// HeaderSourceTime carries the input event's Kafka timestamp (Unix ms) from
// ingest through the scorer, for event→recommendation latency.
const HeaderSourceTime = "recsys-source-ts"

// Stage is the scoring loop.
type Stage struct {
	cfg     Config
	store   *features.Store
	load    Loader
	log     *slog.Logger
	codecs  *schemas.Codecs
	metrics *metrics
	model   atomic.Pointer[Ranker]
	writer  *kafka.Writer
}

// New returns a scorer Stage.
func New(cfg Config, store *features.Store, load Loader, log *slog.Logger, reg prometheus.Registerer) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	codecs, err := schemas.NewCodecs()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	w := &kafka.Writer{
		Addr: kafka.TCP(cfg.Brokers...), Topic: cfg.OutputTopic, Balancer: &kafka.Murmur2Balancer{},
		BatchTimeout: cfg.ProduceLinger, BatchSize: cfg.BatchSize, RequiredAcks: kafka.RequireAll,
	}
	return &Stage{cfg: cfg, store: store, load: load, log: log, codecs: codecs, metrics: m, writer: w}, nil
}

// Current returns the model in use, or nil before the first one exists.
func (s *Stage) Current() Ranker {
	if r := s.model.Load(); r != nil {
		return *r
	}
	return nil
}

// Run consumes until ctx ends, finishing the batch in hand; it returns nil on
// a clean shutdown.
func (s *Stage) Run(ctx context.Context) error {
	if err := s.reload(ctx, ""); err != nil && !errors.Is(err, features.ErrNotFound) {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.watchModels(gctx) })
	g.Go(func() error { return s.consume(gctx) })
	err := g.Wait()
	if cerr := s.writer.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing writer: %w", cerr)
	}
	return err
}

// reload loads version ("" = current) and swaps it in if it differs.
func (s *Stage) reload(ctx context.Context, version string) error {
	if cur := s.Current(); cur != nil && version != "" && cur.Version() == version {
		return nil
	}
	r, err := s.load(ctx, version)
	if err != nil {
		return fmt.Errorf("loading model %q: %w", version, err)
	}
	if cur := s.Current(); cur != nil && cur.Version() == r.Version() {
		return nil
	}
	s.model.Store(&r)
	s.metrics.swaps.Inc()
	s.log.Info("serving model", "version", r.Version())
	return nil
}

// watchModels follows announcements and polls the current pointer.
func (s *Stage) watchModels(ctx context.Context) error {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: s.cfg.Brokers, Topic: s.cfg.ModelsTopic, Partition: 0,
		StartOffset: kafka.LastOffset, MaxWait: 500 * time.Millisecond,
	})
	defer rd.Close()
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, s.cfg.PollInterval)
		m, err := rd.FetchMessage(fctx)
		cancel()
		version := "" // on timeout or error: poll the current pointer
		if err == nil {
			u, derr := s.codecs.DecodeModelUpdate(m.Value)
			if derr != nil || u.Name != s.cfg.ModelName {
				continue
			}
			version = u.Version
		}
		if ctx.Err() != nil {
			return nil
		}
		if err := s.reload(ctx, version); err != nil && !errors.Is(err, features.ErrNotFound) {
			s.log.Warn("model reload failed; keeping the current one", "version", version, "err", err)
		}
	}
	return nil
}
