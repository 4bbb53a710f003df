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

// Loader loads a version of one model; "" means its current one. It returns
// an error wrapping features.ErrNotFound when there is no such model yet.
type Loader func(ctx context.Context, version string) (Ranker, error)

// Models are the loaders of the models a Stage scores with.
type Models struct {
	// Serving loads versions of Config.ModelName. Required.
	Serving Loader
	// Shadow loads versions of Config.ShadowModel; required when
	// Config.Shadowed, else unused.
	Shadow Loader
}

// slot holds one model in use, swapped atomically so that scoring never
// waits for a load.
type slot struct {
	role   string // features.RoleServing or RoleShadow
	name   string // model name, to match announcements
	pinned string // a fixed version; "" follows the current one
	load   Loader
	// pointer reads the version the model's current pointer names: a poll
	// loads a snapshot only when that differs from the one in use.
	pointer func(ctx context.Context, name string) (string, error)
	model   atomic.Pointer[Ranker]
	swaps   prometheus.Counter
	log     *slog.Logger
}

func (sl *slot) current() Ranker {
	if sl == nil || sl.load == nil {
		return nil
	}
	if r := sl.model.Load(); r != nil {
		return *r
	}
	return nil
}

// reload loads version ("" = the pinned or current one) and swaps it in if
// it differs from the one in use.
func (sl *slot) reload(ctx context.Context, version string) error {
	if sl.load == nil {
		return nil
	}
	if version == "" {
		version = sl.pinned
	}
	if version == "" && sl.pointer != nil {
		v, err := sl.pointer(ctx, sl.name)
		if err != nil {
			return fmt.Errorf("reading the current %s model %s: %w", sl.role, sl.name, err)
		}
		version = v
	}
	if cur := sl.current(); cur != nil && version != "" && cur.Version() == version {
		return nil
	}
	r, err := sl.load(ctx, version)
	if err != nil {
		return fmt.Errorf("loading %s model %s %q: %w", sl.role, sl.name, version, err)
	}
	if cur := sl.current(); cur != nil && cur.Version() == r.Version() {
		return nil
	}
	sl.model.Store(&r)
	sl.swaps.Inc()
	sl.log.Info("scoring with model", "role", sl.role, "model", sl.name, "version", r.Version())
	return nil
}

// Load loads the models to score with: the current served version and the
// shadow's, if configured. A model that does not exist yet is not an error
// (popularity is served until one is announced). Run calls it; call it to
// use Recommend without Run.
func (s *Stage) Load(ctx context.Context) error {
	for _, sl := range []*slot{s.serving, s.shadow} {
		if err := sl.reload(ctx, ""); err != nil && !errors.Is(err, features.ErrNotFound) {
			return err
		}
	}
	if s.cfg.ExploreShare > 0 {
		if err := s.explorer.refresh(ctx); err != nil {
			s.log.Warn("reading the exploration pool; exploring nothing until the next refresh", "err", err)
		}
	}
	return nil
}

// watchModels follows announcements and polls the current pointers, which
// costs one read unless a pointer moved. Its reader takes its position (the
// end of the topic) at its first fetch, after Load: the first poll comes a
// second later, so that an announcement made in between waits no longer.
func (s *Stage) watchModels(ctx context.Context) error {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: s.cfg.Brokers, Topic: s.cfg.ModelsTopic, Partition: 0,
		Dialer:      s.cfg.dialer(),
		StartOffset: kafka.LastOffset, MaxWait: 500 * time.Millisecond,
	})
	defer rd.Close()
	wait := min(s.cfg.PollInterval, time.Second)
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, wait)
		wait = s.cfg.PollInterval
		m, err := rd.FetchMessage(fctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		name, version := "", "" // on timeout or error: poll every current pointer
		if err == nil {
			u, derr := s.codecs.DecodeModelUpdate(m.Value)
			if derr != nil {
				continue
			}
			name, version = u.Name, u.Version
		}
		for _, sl := range []*slot{s.serving, s.shadow} {
			if sl.load == nil || sl.pinned != "" && name != "" || name != "" && name != sl.name {
				continue
			}
			if err := sl.reload(ctx, version); err != nil && !errors.Is(err, features.ErrNotFound) {
				s.log.Warn("model reload failed; keeping the current one", "role", sl.role, "version", version, "err", err)
			}
		}
	}
	return nil
}
