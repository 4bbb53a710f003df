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

// Algorithm fits one model family. Adding a model to recsys is one file that
// implements Algorithm and Component, plus one line in Algorithms.
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

// Algorithms returns every algorithm recsys knows, by name.
func Algorithms() map[string]Algorithm {
	algs := map[string]Algorithm{}
	for _, a := range []Algorithm{
		Popularity{},
		Transitions{},
	} {
		algs[a.Name()] = a
	}
	return algs
}

// Lookup returns the algorithm called name.
func Lookup(name string) (Algorithm, error) {
	a, ok := Algorithms()[name]
	if !ok {
		return nil, fmt.Errorf("unknown algorithm %q", name)
	}
	return a, nil
}
