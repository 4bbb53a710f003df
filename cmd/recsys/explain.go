package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/models"
)

// explanation is why a user got their list: what `recsys explain` prints.
type explanation struct {
	User        string                               `json:"user_id"`
	History     []features.Entry                     `json:"history"`
	List        schemas.Recommendation               `json:"list"`
	Cached      bool                                 `json:"cached"`
	Model       *schemas.ModelUpdate                 `json:"model,omitempty"`
	Items       []explainedItem                      `json:"items"`
	Attribution map[string]features.AttributionCount `json:"attribution,omitempty"`
	products    map[string]schemas.Product
}

// explainedItem is one recommended product and each blend part's share of its score.
type explainedItem struct {
	schemas.ScoredItem
	Source string                 `json:"source"`
	Parts  []trainer.Contribution `json:"parts"`
}

func runExplain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	f := newFlagSet("explain", getenv, stderr)
	c.define(f)
	user := f.String("user", "", "the user to explain (required)")
	asJSON := f.Bool("json", false, "print JSON instead of text")
	histLen := f.Int("history", 20, "history events to show")
	if err := f.parse(args); err != nil {
		return err
	}
	if *user == "" {
		return errors.New("explain: --user is required")
	}
	if err := c.finish(); err != nil {
		return err
	}
	rdb := c.redisClient()
	defer rdb.Close()
	store := features.New(rdb, c.Store)
	e, err := explain(ctx, &c, store, *user, *histLen)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	e.print(stdout)
	return nil
}

// explain gathers the user's history, their cached list (or one computed now
// when none is cached) and each item's component scores from the model
// version that ranked it.
func explain(ctx context.Context, c *config, store *features.Store, user string, histLen int) (*explanation, error) {
	e := &explanation{User: user}
	var err error
	if e.History, err = store.History(ctx, user, max(histLen, c.Scorer.HistoryLen)); err != nil {
		return nil, err
	}
	var sources []string
	e.List, err = store.Recommendation(ctx, user)
	switch {
	case err == nil:
		e.Cached = true
	case errors.Is(err, features.ErrNotFound):
		if e.List, sources, err = computeList(ctx, c, store, user); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	snap, err := loadSnapshot(ctx, store, c.Trainer.Name, e.List.ModelVersion)
	if err != nil {
		return nil, err
	}
	e.explainItems(snap, historyAt(e.History, e.List.Trigger.EventID, c.Scorer.HistoryLen), sources)
	if snap != nil {
		e.Model = &snap.Update
	}
	if e.products, err = store.Products(ctx, e.gids()); err != nil {
		return nil, err
	}
	e.History = e.History[max(0, len(e.History)-histLen):]
	e.Attribution, err = attributionOf(ctx, store, e.List.ModelVersion)
	return e, err
}

// computeList scores the user now with the current model and the rules.
func computeList(ctx context.Context, c *config, store *features.Store, user string) (schemas.Recommendation, []string, error) {
	loaders := scorer.Models{Serving: snapshotLoader(store, c.Trainer.Name, models.All())}
	cfg := c.Scorer
	cfg.ShadowModel, cfg.ShadowVersion = "", "" // only the served model explains a list
	s, err := scorer.New(cfg, store, loaders, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		return schemas.Recommendation{}, nil, err
	}
	if err := s.Load(ctx); err != nil {
		return schemas.Recommendation{}, nil, err
	}
	l, err := s.Recommend(ctx, user, c.Scorer.N)
	return l.Recommendation, l.Sources, err
}

// loadSnapshot loads version of model name, nil for "popularity" (no model
// yet) or a version garbage-collected since.
func loadSnapshot(ctx context.Context, store *features.Store, name, version string) (*trainer.Snapshot, error) {
	if version == "" || version == "popularity" {
		return nil, nil
	}
	blob, _, err := store.LoadModel(ctx, name, version)
	if errors.Is(err, features.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return trainer.DecodeSnapshot(blob, models.All())
}

// historyAt is the scoring history as it was when the list's trigger
// arrived: the events up to it (all of them when it is unknown), at most n.
func historyAt(h []features.Entry, trigger string, n int) []features.Entry {
	for k, e := range h {
		if e.EventID == trigger && trigger != "" {
			h = h[:k+1]
			break
		}
	}
	return h[max(0, len(h)-n):]
}

func attributionOf(ctx context.Context, store *features.Store, version string) (map[string]features.AttributionCount, error) {
	totals, err := store.AttributionTotals(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]features.AttributionCount{}
	for k, v := range totals {
		if k.Version == version {
			out[k.Role] = v
		}
	}
	return out, nil
}
