package eval

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// BlendName is the model name of the blend row.
const BlendName = "blend"

// AddBlend appends a row to rep for the blend of its models (every row
// whose Component was kept, popularity included), as the scorer blends them
// (trainer.Snapshot). The weights are tuned with trainer.TuneBlend on a
// validation split carved from the training split (each training user's
// last item, as protocol LLO), on models fitted on the rest, so the test
// split never informs them; the row then blends the components the other
// rows were fitted on with those weights. TrainSeconds is the tuning time
// (the extra fits included). With fewer than two models there is nothing to
// blend and rep is left as it is.
func AddBlend(ctx context.Context, rep *Report, cfg Config) error {
	cfg = cfg.withDefaults()
	var rows []Result
	for _, r := range rep.Results {
		if r.Component != nil && r.Model != BlendName {
			rows = append(rows, r)
		}
	}
	if len(rows) < 2 {
		progress(cfg.Progress, "%s: skipped: fewer than two fitted models", BlendName)
		return nil
	}
	t0 := time.Now()
	parts, err := blendParts(ctx, rows, rep.Split.Train, cfg)
	if err != nil {
		return err
	}
	res := Result{Model: BlendName, Threads: cfg.Threads, TrainSeconds: time.Since(t0).Seconds(), Weights: map[string]float64{}}
	for k, r := range rows {
		res.Weights[r.Model] = parts[k].Weight
	}
	snap := trainer.NewSnapshot(schemas.ModelUpdate{Version: BlendName}, rep.Split.Train.Items, parts)
	n := len(rep.Split.Train.Items)
	score := func(c Case, scores []float32) {
		snap.Blend(rep.Split.Train.Seqs[c.User], scores, make([]float32, n))
	}
	t0 = time.Now()
	res.Lists, err = rankWithProgress(ctx, rep.Split, score, slices.Max(cfg.Ks), cfg)
	if err != nil {
		return fmt.Errorf("ranking %s: %w", BlendName, err)
	}
	res.RecommendSeconds = time.Since(t0).Seconds()
	res.Metrics = Score(res.Lists, rep.Split.Test, cfg.Ks, trainingItems(rep.Split.Train))
	rep.Results = append(rep.Results, res)
	return nil
}

// blendParts refits the rows' algorithms on train minus each user's last
// item, tunes the weights on those items and returns the rows' own
// components with the tuned weights.
func blendParts(ctx context.Context, rows []Result, train *trainer.Dataset, cfg Config) ([]trainer.Part, error) {
	inner, valid := trainer.SplitLastOut(train)
	progress(cfg.Progress, "%s: tuning on %d validation users carved from training", BlendName, len(valid))
	fc := trainer.FitConfig{Weights: cfg.Weights, Threads: cfg.Threads, Seed: cfg.Seed}
	tuning := make([]trainer.Part, len(rows))
	for k, r := range rows {
		alg, ok := cfg.Algorithms[r.Model]
		if !ok {
			return nil, fmt.Errorf("eval: blend: unknown model %q", r.Model)
		}
		c, err := alg.Fit(ctx, inner, fc)
		if err != nil {
			return nil, fmt.Errorf("blend: fitting %s on the inner split: %w", r.Model, err)
		}
		tuning[k] = trainer.Part{Algorithm: alg.Name(), Component: c}
	}
	w, vm, err := trainer.TuneBlend(ctx, tuning, inner, valid, trainer.BlendConfig{Threads: cfg.Threads})
	if err != nil {
		return nil, fmt.Errorf("blend: tuning: %w", err)
	}
	parts := make([]trainer.Part, len(rows))
	for k, r := range rows {
		parts[k] = trainer.Part{Algorithm: tuning[k].Algorithm, Weight: w[k], Component: r.Component}
	}
	progress(cfg.Progress, "%s: weights %v for %v (validation NDCG@%d %.4f)", BlendName, w, blendRowNames(rows), vm.K, vm.NDCG)
	return parts, nil
}

func blendRowNames(rows []Result) []string {
	out := make([]string, len(rows))
	for k, r := range rows {
		out[k] = r.Model
	}
	return out
}
