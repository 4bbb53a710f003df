// Package models lists every algorithm recsys can train and decode. It is the
// one place that imports the model sub-packages, so the trainer core stays
// free of them and the scorer never sees them.
package models

import (
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/als"
	"github.com/recsys/recsys/trainer/bpr"
	"github.com/recsys/recsys/trainer/seq"
)

// All returns every algorithm by name. Adding a model family means adding its
// algorithm here.
func All() trainer.Registry {
	return trainer.NewRegistry(
		trainer.Popularity{},
		trainer.Transitions{},
		seq.SessionKNN{},
		seq.GRU{},
		als.ALS{},
		bpr.BPR{},
	)
}
