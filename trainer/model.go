package trainer

import (
	"context"
	"fmt"

	"github.com/recsys/recsys/schemas"
)

// FitConfig is what every algorithm may use while fitting.
type FitConfig struct {
	// Weights of event types as implicit feedback strength.
	Weights map[schemas.EventType]float64
	// Threads bounds parallelism. Default: runtime.GOMAXPROCS(0).
	Threads int
	// Seed makes fitting deterministic where the algorithm allows.
	Seed int64
}

// Algorithm fits one model family. Adding a model to recsys is one file (or
// sub-package, e.g. trainer/als) implementing Algorithm and Component, plus
// one line in trainer/models.All.
type Algorithm interface {
	// Name identifies the algorithm in snapshots, configuration and reports.
	Name() string
	// Fit trains on d. It must return ctx.Err() promptly when ctx is cancelled
	// and never return a partial model as if it were complete.
	Fit(ctx context.Context, d *Dataset, cfg FitConfig) (Component, error)
	// Decode restores a Component written by its MarshalBinary.
	Decode(data []byte) (Component, error)
}

// Component is a fitted model that scores every item for one user.
//
// Score must be safe for concurrent use and must not retain h or scores. h is
// the user's recent history, oldest first, in the item ids of the Dataset the
// component was fitted on (events on unknown items are already dropped); it
// may be empty (a cold user). scores has one slot per item; Score overwrites
// every slot, higher is better, and items it cannot judge get 0.
type Component interface {
	Score(h []Event, scores []float32)
	MarshalBinary() ([]byte, error)
}

// Registry maps algorithm names to algorithms; snapshots are decoded through it.
type Registry map[string]Algorithm

// NewRegistry indexes algs by name.
func NewRegistry(algs ...Algorithm) Registry {
	r := Registry{}
	for _, a := range algs {
		r[a.Name()] = a
	}
	return r
}

// Builtin returns the algorithms of this package: popularity and transitions.
func Builtin() Registry { return NewRegistry(Popularity{}, Transitions{}) }

// Lookup returns the algorithm called name.
func (r Registry) Lookup(name string) (Algorithm, error) {
	a, ok := r[name]
	if !ok {
		return nil, fmt.Errorf("unknown algorithm %q", name)
	}
	return a, nil
}
