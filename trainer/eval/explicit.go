package eval

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/explicit"
)

// RelevantRating is the lowest test rating that counts as relevant in the
// EXP protocol's ranking metrics.
const RelevantRating = 4

// ExplicitFitters are the EXP protocol's models by name: the bias
// baseline, biased MF (fastai recipe), baseline-residual ALS (Spark recipe)
// and a grid search over both selected on a validation split of training.
func ExplicitFitters() map[string]explicit.Fitter {
	return map[string]explicit.Fitter{
		"baseline": explicit.Baseline{},
		"mf":       explicit.MF{},
		"als":      explicit.ALS{},
		"search":   explicit.Searched{},
	}
}

// RunExplicit is protocol EXP: ratings split at random (cfg.TestFrac, seed),
// every explicit model fitted on training and scored by RMSE, MAE and R² on
// the test ratings, and ranked: for each user with a test rating of at least
// RelevantRating, every item rated in training except the user's own is
// ranked by predicted rating. Popularity (rating counts) ranks too.
func RunExplicit(ctx context.Context, r *explicit.Ratings, cfg Config) (*Report, error) {
	cfg.Protocol = Explicit
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	fitters := ExplicitFitters()
	names := cfg.Models
	if len(names) == 0 {
		names = []string{"baseline", "mf", "als", "search"}
	}
	train, test := r.Split(cfg.TestFrac, uint64(cfg.Seed))
	s := ratingSplit(train, test)
	rep := &Report{
		Protocol: Explicit, Seed: cfg.Seed, Ks: cfg.Ks, Users: len(r.Users), Items: len(r.Items), Events: len(r.R),
		TrainingItems: trainingItems(s.Train), TestUsers: len(s.Test), Split: s,
	}
	progress(cfg.Progress, "exp split: %d training and %d test ratings; %d users with a test rating ≥ %d",
		len(train.R), len(test.R), len(s.Test), RelevantRating)
	pop, err := evalModel(ctx, s, "popularity", trainer.Popularity{}, cfg)
	if err != nil {
		return nil, err
	}
	rep.Results = append(rep.Results, pop)
	for _, name := range names {
		f, ok := fitters[name]
		if name == "popularity" {
			continue
		}
		if !ok {
			return nil, fmt.Errorf("eval: unknown explicit model %q (want baseline, mf, als or search)", name)
		}
		res, err := evalRatings(ctx, s, name, f, train, test, cfg)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// ratingSplit is the ranking view of an explicit split: training ratings as
// events over the full vocabulary, test users with their well-rated items.
func ratingSplit(train, test *explicit.Ratings) Split {
	b := trainer.NewBuilder()
	for _, it := range train.Items {
		b.Item(it)
	}
	seqs := make([][]trainer.Event, len(train.Users))
	for _, x := range train.R {
		seqs[x.User] = append(seqs[x.User], trainer.Event{Item: x.Item, Type: schemas.Purchase, Time: x.Time})
	}
	d := b.Build().WithSeqs(seqs)
	d.Users = train.Users
	inTrain := make([]bool, len(train.Items))
	for _, x := range train.R {
		inTrain[x.Item] = true
	}
	rel := make([][]int32, len(test.Users))
	for _, x := range test.R {
		if x.Value >= RelevantRating && inTrain[x.Item] {
			rel[x.User] = append(rel[x.User], x.Item)
		}
	}
	var cases []Case
	for u, items := range rel {
		if len(items) > 0 && len(seqs[u]) > 0 {
			slices.Sort(items)
			cases = append(cases, Case{User: int32(u), Relevant: items})
		}
	}
	return Split{Train: d, Test: cases}
}

// evalRatings fits one explicit model and scores ratings and rankings.
func evalRatings(ctx context.Context, s Split, name string, f explicit.Fitter, train, test *explicit.Ratings, cfg Config) (Result, error) {
	res := Result{Model: name, Threads: cfg.Threads}
	if s, ok := f.(explicit.Searched); ok {
		s.Trials = func(trials []explicit.Trial) {
			for _, t := range trials {
				progress(cfg.Progress, "  %s: validation RMSE %.4f", t.Fitter, t.Valid.RMSE)
			}
		}
		f = s
	}
	progress(cfg.Progress, "%s: fitting %s", name, f.Name())
	t0 := time.Now()
	m, err := f.Fit(ctx, train, cfg.Threads, uint64(cfg.Seed))
	if err != nil {
		return res, fmt.Errorf("fitting %s: %w", name, err)
	}
	res.TrainSeconds = time.Since(t0).Seconds()
	e := explicit.Evaluate(m, test)
	res.Rating = &RatingErrors{RMSE: e.RMSE, MAE: e.MAE, R2: e.R2}
	progress(cfg.Progress, "%s: fitted in %.2fs, test RMSE %.4f; ranking %d users", name, res.TrainSeconds, e.RMSE, len(s.Test))
	t0 = time.Now()
	score := func(c Case, scores []float32) { m.PredictUser(c.User, scores) }
	res.Lists, err = rankWithProgress(ctx, s, score, slices.Max(cfg.Ks), cfg)
	if err != nil {
		return res, fmt.Errorf("ranking %s: %w", name, err)
	}
	res.RecommendSeconds = time.Since(t0).Seconds()
	res.Metrics = Score(res.Lists, s.Test, cfg.Ks, trainingItems(s.Train))
	return res, nil
}
