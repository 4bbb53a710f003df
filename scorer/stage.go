package scorer

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
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
	carried map[features.ListKey]int
	look    *lookup // the consume loop's, reused between batches
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
		serving: &slot{role: features.RoleServing, name: cfg.ModelName, load: models.Serving, pointer: store.CurrentVersion,
			swaps: m.swaps, log: log},
		shadow:   &slot{role: features.RoleShadow, pointer: store.CurrentVersion, swaps: m.swaps, log: log},
		explorer: &explorer{store: store, maxSeen: cfg.ExploreMaxInteractions, interval: cfg.RefreshInterval, log: log},
		cache:    newCache(cfg.CacheTTL),
	}
	if cfg.Shadowed() {
		s.shadow.name, s.shadow.pinned, s.shadow.load = cfg.ShadowModel, cfg.ShadowVersion, models.Shadow
	}
	return s, nil
}

// Current returns the served model, or nil before the first one exists.
func (s *Stage) Current() Ranker { return s.serving.current() }

// Shadow returns the shadow model, or nil when there is none.
func (s *Stage) Shadow() Ranker { return s.shadow.current() }

// Run consumes until ctx ends, finishing the batch in hand and answering the
// events waiting for a debounced list; it returns nil on a clean shutdown.
func (s *Stage) Run(ctx context.Context) error {
	if s.cfg.Writer == nil {
		return errors.New("scorer: Run needs Config.Writer to produce the lists")
	}
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
	return g.Wait()
}
