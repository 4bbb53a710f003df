package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/recsys/recsys/trainer"
)

func randomScores(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.IntN(50)) // many ties
		switch rng.IntN(20) {
		case 0:
			s[i] = float32(math.Inf(-1))
		case 1:
			s[i] = float32(math.NaN())
		}
	}
	return s
}

func TestTopNAgreesWithTrainerTopN(t *testing.T) {
	for _, size := range []int{0, 1, 5, 100, 5000} {
		for _, n := range []int{0, 1, 3, 10, 64, 300} {
			s := randomScores(size, uint64(size*1000+n))
			got, want := TopN(s, n, nil), trainer.TopN(s, n)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("size %d, n %d: TopN = %v, trainer.TopN = %v", size, n, got, want)
			}
		}
	}
}

func BenchmarkTopN(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		s := make([]float32, size)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range s {
			s[i] = rng.Float32()
		}
		b.Run(fmt.Sprintf("items=%d/eval", size), func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]trainer.Scored, 0, 10)
			for b.Loop() {
				dst = TopN(s, 10, dst)
			}
		})
		b.Run(fmt.Sprintf("items=%d/trainer", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				trainer.TopN(s, 10)
			}
		})
	}
}
