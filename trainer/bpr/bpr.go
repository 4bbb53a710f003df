package bpr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/mf"
)

// Sampling chooses how negatives are drawn.
type Sampling string

// The samplings.
const (
	Uniform    Sampling = "uniform"
	Popularity Sampling = "popularity" // ∝ (users of the item)^PopPower
)

// FoldIn names how Score turns a history into a user vector.
type FoldIn string

// The fold-ins.
const (
	// FoldMean averages the factors of the history's items weighted by
	// their (recency-decayed) strength: one pass over the history, and on
	// Online Retail validation better than FoldSGD (HR@10 0.140 vs 0.119).
	FoldMean FoldIn = "mean"
	// FoldSGD runs BPR's own SGD on the user vector alone, item factors
	// fixed, with negatives from a generator seeded by the history: close
	// to the vector training would give; deterministic, 100× slower.
	FoldSGD FoldIn = "sgd"
)

// BPR fits the model. The zero value uses the defaults below, tuned on a
// validation split carved from the Online Retail LLO training set (the last
// item of each training history; never the test users): popularity-aware
// negatives with a small Reg lifted validation HR@10 from 0.116 to 0.165,
// the recency-weighted mean fold-in to 0.171.
type BPR struct {
	// Factors is the latent dimension. Default: 64.
	Factors int
	// Epochs; each draws as many triples as there are positive pairs.
	// Default: 30.
	Epochs int
	// LR is the SGD step. Default: 0.05.
	LR float64
	// Reg is the L2 penalty on factors and biases. Default: 0.003.
	Reg float64
	// Sampling of negatives. Default: Popularity.
	Sampling Sampling
	// PopPower is the exponent of popularity sampling. Default: 0.75.
	PopPower float64
	// FoldIn method. Default: FoldMean.
	FoldIn FoldIn
	// FoldEpochs are the passes over the history FoldSGD makes. Default: 20.
	FoldEpochs int
	// HalfLife halves the weight of a history event in fold-in for every
	// HalfLife it is older than the latest one. Default: 3 days; negative:
	// no decay.
	HalfLife time.Duration
}

// Name implements trainer.Algorithm.
func (BPR) Name() string { return "bpr" }

func (b BPR) withDefaults() BPR {
	if b.Factors == 0 {
		b.Factors = 64
	}
	if b.Epochs == 0 {
		b.Epochs = 30
	}
	if b.LR == 0 {
		b.LR = 0.05
	}
	if b.Reg == 0 {
		b.Reg = 0.003
	}
	if b.Sampling == "" {
		b.Sampling = Popularity
	}
	if b.PopPower == 0 {
		b.PopPower = 0.75
	}
	if b.FoldIn == "" {
		b.FoldIn = FoldMean
	}
	if b.FoldEpochs == 0 {
		b.FoldEpochs = 20
	}
	if b.HalfLife == 0 {
		b.HalfLife = 3 * 24 * time.Hour
	}
	return b
}

// Validate reports every invalid field (after defaults), one error each.
func (b BPR) Validate() error {
	b = b.withDefaults()
	var errs []error
	if b.Factors < 1 || b.Epochs < 1 || b.FoldEpochs < 1 {
		errs = append(errs, errors.New("bpr: factors, epochs and fold epochs must be positive"))
	}
	if b.LR <= 0 || b.Reg < 0 || b.PopPower < 0 {
		errs = append(errs, errors.New("bpr: lr must be positive, reg and pop power not negative"))
	}
	if b.Sampling != Uniform && b.Sampling != Popularity {
		errs = append(errs, fmt.Errorf("bpr: unknown sampling %q (want uniform or popularity)", b.Sampling))
	}
	if b.FoldIn != FoldSGD && b.FoldIn != FoldMean {
		errs = append(errs, fmt.Errorf("bpr: unknown fold-in %q (want sgd or mean)", b.FoldIn))
	}
	return errors.Join(errs...)
}

// Fit implements trainer.Algorithm. The returned Component is a *Model.
func (b BPR) Fit(ctx context.Context, d *trainer.Dataset, cfg trainer.FitConfig) (trainer.Component, error) {
	m, err := b.FitModel(ctx, d, cfg)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FitModel is Fit with the concrete result.
func (b BPR) FitModel(ctx context.Context, d *trainer.Dataset, cfg trainer.FitConfig) (*Model, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	b = b.withDefaults()
	ui := mf.Interactions(d, mf.Strength{Weights: cfg.Weights})
	t := newSGD(b, ui, mf.Threads(cfg.Threads), uint64(cfg.Seed))
	for ep := 0; ep < b.Epochs; ep++ {
		if err := t.epoch(ctx, ep); err != nil {
			return nil, err
		}
	}
	return newModel(b, cfg.Weights, t.q, t.bias), nil
}
