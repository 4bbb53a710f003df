package eval

import (
	"slices"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/als"
	"github.com/recsys/recsys/trainer/bpr"
	"github.com/recsys/recsys/trainer/mf"
	"github.com/recsys/recsys/trainer/models"
)

// Variants are configurations of registered algorithms worth a row of their
// own, by the name they get in reports: ALS as the reference libraries run
// it (linear confidence 1 + w, no weighting, no recency), ALS without its
// fold-in recency boost (order-blind scoring, to see what history order is
// worth) and BPR with Rendle's uniform negatives.
func Variants() map[string]trainer.Algorithm {
	return map[string]trainer.Algorithm{
		"als-plain":   als.ALS{Weighting: mf.NoWeighting, HalfLife: -1, Alpha: 1, Epsilon: -1, RecentBoost: -1},
		"als-noorder": als.ALS{RecentBoost: -1},
		"bpr-uniform": bpr.BPR{Sampling: bpr.Uniform},
	}
}

// Algorithms returns every algorithm of trainer/models under its name plus
// the Variants: the default Config.Algorithms of `recsys eval`.
func Algorithms() trainer.Registry {
	reg := trainer.Registry{}
	for name, alg := range models.All() {
		reg[name] = alg
	}
	for name, alg := range Variants() {
		reg[name] = alg
	}
	return reg
}

// DefaultModels are the models a run evaluates when none are named: every
// algorithm of trainer/models (variants only on request).
func DefaultModels() []string {
	var names []string
	for name := range models.All() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
