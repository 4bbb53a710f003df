package seq

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// topK is the selection sknn used before nearest: a min-heap of the best k
// so far, indices in no particular order. Kept as nearest's reference.
func topK(v []float32, k int, out []int32) []int32 {
	h := out[:0]
	worse := func(a, b int32) bool { // is a worse than b
		if v[a] != v[b] {
			return v[a] < v[b]
		}
		return a > b
	}
	down := func(i int) {
		for {
			l, r, w := 2*i+1, 2*i+2, i
			if l < len(h) && worse(h[l], h[w]) {
				w = l
			}
			if r < len(h) && worse(h[r], h[w]) {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := range v {
		switch {
		case len(h) < k:
			h = append(h, int32(i))
			for j := len(h) - 1; j > 0 && worse(h[j], h[(j-1)/2]); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
		case k > 0 && worse(h[0], int32(i)):
			h[0] = int32(i)
			down(0)
		}
	}
	return h
}

func TestNearestSelectsWhatTheHeapSelected(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []int32
	var tmp []float32
	for trial := range 3000 {
		n := rng.IntN(600)
		distinct := 1 + rng.IntN([]int{2, 10, 1000, 1 << 20}[trial%4]) // many ties to none
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.IntN(distinct)) / 7
		}
		k := rng.IntN(n + 50)
		want := topK(v, k, nil)
		slices.Sort(want)
		out, tmp = nearest(v, k, out, tmp)
		if !slices.Equal(out, want) {
			t.Fatalf("trial %d: nearest(%d of %d) = %v, want %v", trial, k, n, out, want)
		}
	}
}
