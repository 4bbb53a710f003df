package vec

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKthPartitionsAroundTheKthLargest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 2000 {
		s := make([]float32, 1+rng.IntN(300))
		for i := range s {
			s[i] = float32(rng.IntN(1+trial%50)) - 3
		}
		if trial%7 == 0 {
			s[rng.IntN(len(s))] = float32(math.Inf(-1))
		}
		sorted := slices.Clone(s)
		slices.Sort(sorted)
		slices.Reverse(sorted)
		k := rng.IntN(len(s))
		if got := Kth(s, k); got != sorted[k] {
			t.Fatalf("trial %d: Kth(%d) = %v, want %v", trial, k, got, sorted[k])
		}
		for i, x := range s {
			if i < k && x < s[k] || i > k && x > s[k] {
				t.Fatalf("trial %d: s[%d] = %v on the wrong side of s[%d] = %v", trial, i, x, k, s[k])
			}
		}
	}
}

func TestBlockMaxIgnoresNaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	inf := float32(math.Inf(-1))
	for n := range 300 {
		s := values(rng, n)
		for k := range s {
			switch rng.IntN(10) {
			case 0:
				s[k] = float32(math.NaN())
			case 1:
				s[k] = inf
			}
		}
		if n > 64 {
			for k := 32; k < 64; k++ { // a block without a number
				s[k] = float32(math.NaN())
			}
		}
		out := make([]float32, (n+Block-1)/Block)
		BlockMax(s, out)
		for b := range out {
			want := inf
			for _, v := range s[b*Block : min((b+1)*Block, n)] {
				if v > want {
					want = v
				}
			}
			if out[b] != want {
				t.Fatalf("n %d, block %d: %v, want %v", n, b, out[b], want)
			}
		}
	}
}
