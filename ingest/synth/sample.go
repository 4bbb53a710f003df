package synth

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Independent random streams, so that changing how one part draws does not
// reshuffle the others.
const (
	streamCatalog uint64 = iota + 1
	streamShoppers
	streamSessions
)

// newRand returns the random stream number index of kind stream for seed.
// Seeds are mixed with splitmix64 because nearby PCG states give correlated
// sequences.
func newRand(seed int64, stream, index uint64) *rand.Rand {
	a := splitmix(uint64(seed) ^ splitmix(stream))
	b := splitmix(a ^ splitmix(index+0x632be59bd9b4e019))
	return rand.New(rand.NewPCG(a, b))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// cumulative is a table of running weight sums for weighted draws.
type cumulative []float64

// newCumulative returns the running sums of w.
func newCumulative(w []float64) cumulative {
	c := make(cumulative, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	return c
}

// draw returns an index with probability proportional to its weight.
func (c cumulative) draw(rng *rand.Rand) int {
	x := rng.Float64() * c[len(c)-1]
	i := sort.SearchFloat64s(c, x)
	if i < len(c) && c[i] == x {
		i++ // SearchFloat64s finds the first c[i] >= x; we need c[i] > x
	}
	return min(i, len(c)-1)
}

// zipf returns n weights 1/(rank+1)^s in the order given by ranks, where
// ranks[i] is the popularity rank of item i.
func zipf(ranks []int, s float64) []float64 {
	w := make([]float64, len(ranks))
	for i, r := range ranks {
		w[i] = math.Pow(float64(r+1), -s)
	}
	return w
}

// logNormal draws exp(N(mu, sigma)).
func logNormal(rng *rand.Rand, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*rng.NormFloat64())
}

// quantity draws an order quantity: mostly 1, sometimes 2 or 3.
func quantity(rng *rand.Rand) int {
	switch r := rng.Float64(); {
	case r < 0.85:
		return 1
	case r < 0.95:
		return 2
	default:
		return 3
	}
}
