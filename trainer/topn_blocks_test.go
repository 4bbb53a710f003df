package trainer_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/recsys/recsys/trainer"
)

// blendLike draws scores shaped like a blend in one of several ways: a
// few high items over dense noise, ties, negatives, long masked runs.
func blendLike(rng *rand.Rand, size, shape int) []float32 {
	s := make([]float32, size)
	for i := range s {
		switch shape {
		case 0: // dense noise, a few sparse hits on top
			s[i] = 0.3 * rng.Float32()
			if rng.IntN(40) == 0 {
				s[i] += 1 + rng.Float32()
			}
		case 1: // heavy ties
			s[i] = float32(rng.IntN(4))
		case 2: // negatives, NaN and -Inf mixed in
			s[i] = rng.Float32() - 0.7
			switch rng.IntN(15) {
			case 0:
				s[i] = float32(math.NaN())
			case 1:
				s[i] = float32(math.Inf(-1))
			}
		case 3: // almost everything masked
			s[i] = float32(math.Inf(-1))
			if rng.IntN(100) == 0 {
				s[i] = rng.Float32()
			}
		}
	}
	return s
}

func TestTopNOverManyBlocksIsTheSortedPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 400 {
		size := []int{3 * 32, 5000, 5001, 12_345, 40_000}[trial%5]
		n := 1 + rng.IntN(60)
		s := blendLike(rng, size, trial%4)
		want := sortedTopN(s, n)
		if got := trainer.TopN(s, n); !same(got, want) {
			t.Fatalf("trial %d (size %d, n %d, shape %d): TopN = %v, want %v", trial, size, n, trial%4, got, want)
		}
	}
}
