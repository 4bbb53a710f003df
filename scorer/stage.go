package scorer

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
	"github.com/recsys/recsys/schemas"
)

// HeaderSourceTime carries the input event's Kafka timestamp (Unix ms) from
// ingest through the scorer, for event→recommendation latency.
const HeaderSourceTime = "recsys-source-ts"

// Stage is the scoring loop.
type Stage struct {
	cfg      Config
	store    *features.Store
	log      *slog.Logger
	codecs   *schemas.Codecs
	metrics  *metrics
	serving  *slot
	shadow   *slot
	explorer *explorer
	cache    *cache
	// carried are list counts not written yet; only the consume loop uses it.
	carried      map[features.ListKey]int
	writer       *kafka.Writer
	shadowWriter *kafka.Writer
}

// New returns a scorer Stage scoring with models.
func New(cfg Config, store *features.Store, models Models, log *slog.Logger, reg prometheus.Registerer) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if models.Serving == nil || cfg.Shadowed() && models.Shadow == nil {
		return nil, errors.New("scorer: a loader for every configured model is required")
	}
	codecs, err := schemas.NewCodecs()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &Stage{cfg: cfg, store: store, log: log, codecs: codecs, metrics: m,
		serving:  &slot{role: features.RoleServing, name: cfg.ModelName, load: models.Serving, swaps: m.swaps, log: log},
		shadow:   &slot{role: features.RoleShadow, swaps: m.swaps, log: log},
		explorer: &explorer{store: store, maxSeen: cfg.ExploreMaxInteractions, interval: cfg.RefreshInterval, log: log},
		cache:    newCache(cfg.CacheTTL),
		writer:   newWriter(cfg, cfg.OutputTopic),
	}
	if cfg.Shadowed() {
		s.shadow.name, s.shadow.pinned, s.shadow.load = cfg.ShadowModel, cfg.ShadowVersion, models.Shadow
		s.shadowWriter = newWriter(cfg, cfg.ShadowTopic)
	}
	return s, nil
}

func newWriter(cfg Config, topic string) *kafka.Writer {
	return &kafka.Writer{
		Addr: kafka.TCP(cfg.Brokers...), Topic: topic, Balancer: &kafka.Murmur2Balancer{},
		BatchTimeout: cfg.ProduceLinger, BatchSize: cfg.BatchSize, RequiredAcks: kafka.RequireAll,
		Transport: &kafka.Transport{TLS: cfg.TLS, SASL: cfg.SASL, DialTimeout: 10 * time.Second},
	}
}

// Current returns the served model, or nil before the first one exists.
func (s *Stage) Current() Ranker { return s.serving.current() }

// Shadow returns the shadow model, or nil when there is none.
func (s *Stage) Shadow() Ranker { return s.shadow.current() }

// Run consumes until ctx ends, finishing the batch in hand and answering the
// events waiting for a debounced list; it returns nil on a clean shutdown.
func (s *Stage) Run(ctx context.Context) error {
	if err := s.Load(ctx); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.watchModels(gctx) })
	g.Go(func() error { return s.consume(gctx) })
	g.Go(func() error { return s.watchAttribution(gctx) })
	g.Go(func() error { return s.cache.run(gctx, s.store, s.log) })
	if s.cfg.ExploreShare > 0 {
		g.Go(func() error { return s.explorer.run(gctx) })
	}
	err := g.Wait()
	for _, w := range []*kafka.Writer{s.writer, s.shadowWriter} {
		if w == nil {
			continue
		}
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing writer: %w", cerr)
		}
	}
	return err
}
