package bpr

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAliasTableDrawsInProportionToTheWeights(t *testing.T) {
	w := []float64{1, 2, 3, 4, 0, 10}
	a := newAlias(w)
	rng := rand.New(rand.NewPCG(1, 1))
	counts := make([]float64, len(w))
	const n = 200_000
	for range n {
		counts[a.draw(rng)]++
	}
	for k, v := range w {
		if want := v / 20 * n; math.Abs(counts[k]-want) > 0.02*n {
			t.Errorf("item %d drawn %v times, want about %v", k, counts[k], want)
		}
	}
}
