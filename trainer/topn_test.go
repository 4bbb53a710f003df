package trainer_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/recsys/recsys/trainer"
)

// scoresWithTies draws scores from 50 values (many ties) with about 5% -Inf
// and 5% NaN, the way masked score vectors look.
func scoresWithTies(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.IntN(50))
		switch rng.IntN(20) {
		case 0:
			s[i] = float32(math.Inf(-1))
		case 1:
			s[i] = float32(math.NaN())
		}
	}
	return s
}

// sortedTopN is the specification: every scored item sorted by score
// descending, then id ascending, cut to n.
func sortedTopN(scores []float32, n int) []trainer.Scored {
	var all []trainer.Scored
	for i, s := range scores {
		if !math.IsInf(float64(s), -1) && s == s {
			all = append(all, trainer.Scored{Item: int32(i), Score: s})
		}
	}
	slices.SortFunc(all, func(a, b trainer.Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Item, b.Item)
	})
	return all[:min(n, len(all))]
}

func TestTopNIsTheSortedPrefixWithTiesToTheLowerID(t *testing.T) {
	for _, size := range []int{0, 1, 5, 100, 5000} {
		for _, n := range []int{0, 1, 3, 10, 64, 256, 257, 300, 6000} {
			s := scoresWithTies(size, uint64(size*1000+n))
			want := sortedTopN(s, n)
			got := trainer.TopN(s, n)
			if !same(got, want) {
				t.Errorf("size %d, n %d: TopN = %v, want %v", size, n, got, want)
			}
			dst := make([]trainer.Scored, 3, 8) // reused storage, stale contents
			if into := trainer.TopNInto(dst, s, n); !same(into, want) {
				t.Errorf("size %d, n %d: TopNInto = %v, TopN %v", size, n, into, got)
			}
		}
	}
}

// same compares results, nil and empty alike.
func same(a, b []trainer.Scored) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func TestTopNSkipsMaskedItemsEvenWhenFewerThanNRemain(t *testing.T) {
	inf := float32(math.Inf(-1))
	s := []float32{inf, 2, float32(math.NaN()), 2, inf, float32(math.Inf(1)), -7}
	trainer.Mask(s, []int32{6, 99})
	got := trainer.TopN(s, 10)
	want := []trainer.Scored{{Item: 5, Score: float32(math.Inf(1))}, {Item: 1, Score: 2}, {Item: 3, Score: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TopN = %v, want %v", got, want)
	}
}

// BenchmarkTopN ranks uniform random scores, the common case: almost every
// item is rejected against the current n-th best.
func BenchmarkTopN(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		s := make([]float32, size)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range s {
			s[i] = rng.Float32()
		}
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("items=%d/n=%d", size, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					trainer.TopN(s, n)
				}
			})
		}
	}
}
