package trainer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// Stage is the periodic trainer.
type Stage struct {
	cfg     Config
	store   *features.Store
	reg     Registry
	log     *slog.Logger
	codecs  *schemas.Codecs
	metrics *metrics
	writer  *kafka.Writer
	// candidates are the configured Blend; with TuneBlend, cfg.Blend holds the
	// last tuned weights. Only Run's goroutine touches either.
	candidates map[string]float64
}

// Result reports one training run.
type Result struct {
	Promoted bool
	Version  string // the promoted version, or the current one when not promoted
	Update   schemas.ModelUpdate
	Reason   string // why it was or was not promoted
}

// New returns a trainer Stage; algorithms named in cfg.Blend come from reg.
func New(cfg Config, store *features.Store, reg Registry, log *slog.Logger, promReg prometheus.Registerer) (*Stage, error) {
	if err := cfg.Validate(reg); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.Weights == nil {
		cfg.Weights = store.Config().Weights
	}
	codecs, err := schemas.NewCodecs()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(promReg)
	if err != nil {
		return nil, err
	}
	w := &kafka.Writer{
		Addr: kafka.TCP(cfg.Brokers...), Topic: cfg.ModelsTopic, Balancer: &kafka.Murmur2Balancer{},
		BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: cfg.transport(),
	}
	return &Stage{cfg: cfg, store: store, reg: reg, log: log, codecs: codecs, metrics: m, writer: w, candidates: cfg.Blend}, nil
}

// Run trains at once and then every Interval until ctx ends. A failed run is
// logged and retried at the next tick; the current model stays. Until a first
// model exists it retries every FirstRetry, so a new deployment does not wait
// a whole Interval for its first model.
func (s *Stage) Run(ctx context.Context) error {
	defer s.writer.Close()
	for {
		res, err := s.TrainOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.log.Error("training run failed; keeping the current model", "err", err)
		default:
			s.log.Info("training run done", "promoted", res.Promoted, "version", res.Version, "reason", res.Reason)
		}
		wait := s.cfg.Interval
		if res.Version == "" {
			wait = min(wait, s.cfg.FirstRetry)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// TrainOnce replays the window, fits, gates and, if better, promotes. Every
// run is counted and timed by its outcome.
func (s *Stage) TrainOnce(ctx context.Context) (Result, error) {
	start := time.Now()
	res, outcome, err := s.trainOnce(ctx, start)
	if err != nil {
		outcome = "failed"
		if ctx.Err() != nil {
			outcome = "cancelled"
		}
	}
	s.metrics.finish(outcome, time.Since(start))
	if res.Promoted {
		s.metrics.promoted(res.Update)
	}
	return res, err
}

// trainOnce is TrainOnce without the metrics: it returns the run's outcome
// (promoted, rejected or skipped) when it did not fail.
func (s *Stage) trainOnce(ctx context.Context, start time.Time) (Result, string, error) {
	lg, err := replay(ctx, s.cfg, start.Add(-s.cfg.Window), s.codecs, s.log)
	if err != nil {
		return Result{}, "", fmt.Errorf("replaying the log: %w", err)
	}
	if len(lg.Interactions) < s.cfg.MinEvents {
		return Result{Reason: fmt.Sprintf("%d interactions < min %d", len(lg.Interactions), s.cfg.MinEvents)}, "skipped", nil
	}
	data := datasetOf(lg.Interactions)
	verdict, err := s.gate(ctx, data)
	if err != nil {
		return Result{}, "", err
	}
	if !verdict.promote {
		return Result{Version: verdict.current, Reason: verdict.reason}, "rejected", nil
	}
	update, err := s.promote(ctx, data, lg, verdict)
	if err != nil {
		return Result{}, "", err
	}
	return Result{Promoted: true, Version: update.Version, Update: update, Reason: verdict.reason}, "promoted", nil
}

func datasetOf(ins []schemas.Interaction) *Dataset {
	b := NewBuilder()
	for _, in := range ins {
		b.Add(in.UserID, in.ProductGID, in.Type, in.Time)
	}
	return b.Build()
}

// fit trains every blended algorithm on d.
func (s *Stage) fit(ctx context.Context, d *Dataset) ([]Part, error) {
	names := make([]string, 0, len(s.cfg.Blend))
	for name, w := range s.cfg.Blend {
		if w > 0 { // a part weighted 0 (as tuning may decide) would only cost scoring time
			names = append(names, name)
		}
	}
	sort.Strings(names)
	fc := FitConfig{Weights: s.cfg.Weights, Threads: s.cfg.Threads, Seed: s.cfg.Seed}
	parts := make([]Part, 0, len(names))
	for _, name := range names {
		alg, err := s.reg.Lookup(name)
		if err != nil {
			return nil, err
		}
		c, err := alg.Fit(ctx, d, fc)
		if err != nil {
			return nil, fmt.Errorf("fitting %s: %w", name, err)
		}
		parts = append(parts, Part{Algorithm: name, Weight: s.cfg.Blend[name], Component: c})
	}
	return parts, nil
}

// promote refits on the whole window, stores the snapshot under a new
// version, flips the current pointer, announces it and prunes old versions.
func (s *Stage) promote(ctx context.Context, d *Dataset, lg *Log, v verdict) (schemas.ModelUpdate, error) {
	parts, err := s.fit(ctx, d)
	if err != nil {
		return schemas.ModelUpdate{}, err
	}
	version, err := s.store.NextVersion(ctx, s.cfg.Name)
	if err != nil {
		return schemas.ModelUpdate{}, err
	}
	update := s.lineage(version, d, lg, v)
	blob, err := NewSnapshot(update, d.Items, parts).MarshalBinary()
	if err != nil {
		return update, err
	}
	if err := s.store.SaveModel(ctx, s.cfg.Name, version, blob); err != nil {
		return update, err
	}
	if err := s.store.Promote(ctx, s.cfg.Name, version); err != nil {
		return update, err
	}
	if err := s.announce(ctx, update); err != nil {
		return update, err
	}
	s.metrics.snapshotBytes.Set(float64(len(blob)))
	if pruned, err := s.store.PruneModels(ctx, s.cfg.Name, s.cfg.Keep); err != nil {
		s.log.Warn("pruning old snapshots", "err", err)
	} else if len(pruned) > 0 {
		s.log.Info("pruned old snapshots", "versions", pruned)
	}
	return update, nil
}

func (s *Stage) lineage(version string, d *Dataset, lg *Log, v verdict) schemas.ModelUpdate {
	first, last := lg.Interactions[0].Time, lg.Interactions[0].Time
	for _, in := range lg.Interactions {
		first, last = minTime(first, in.Time), maxTime(last, in.Time)
	}
	metrics := map[string]float64{
		"events": float64(len(lg.Interactions)), "users": float64(len(d.Users)), "items": float64(len(d.Items)),
	}
	for k, val := range v.metrics {
		metrics[k] = val
	}
	return schemas.ModelUpdate{
		Name: s.cfg.Name, Version: version, TrainedAt: time.Now().UTC(), WindowStart: first, WindowEnd: last,
		Offsets: lg.Ranges, Metrics: metrics, Location: s.store.Location(s.cfg.Name, version),
		ConfigHash: s.cfg.hash(), PreviousVersion: v.current,
	}
}

func (s *Stage) announce(ctx context.Context, u schemas.ModelUpdate) error {
	b, err := s.codecs.EncodeModelUpdate(u)
	if err != nil {
		return err
	}
	if err := s.writer.WriteMessages(ctx, kafka.Message{Key: []byte(u.Name), Value: b}); err != nil {
		return fmt.Errorf("announcing %s %s: %w", u.Name, u.Version, err)
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// errNoHoldout: too few users with two distinct items to evaluate.
var errNoHoldout = errors.New("no holdout users")
