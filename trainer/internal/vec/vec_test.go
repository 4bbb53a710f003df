package vec

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// values draws n scores: mostly positive, some negative, zero or equal.
func values(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for k := range s {
		switch rng.IntN(8) {
		case 0:
			s[k] = -rng.Float32()
		case 1:
			s[k] = 0
		case 2:
			s[k] = 0.5
		default:
			s[k] = rng.Float32() * 3
		}
	}
	return s
}

func TestPeakIsTheBuiltinMaxFromZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		s := values(rng, n)
		if n%3 == 0 {
			for k := range s {
				s[k] = -float32(math.Abs(float64(s[k]))) // nothing positive
			}
		}
		var want float32
		for _, v := range s {
			want = max(want, v)
		}
		if got := Peak(s); got != want {
			t.Fatalf("n %d: Peak = %v, want %v", n, got, want)
		}
		for at := range min(n, 40) {
			nan := slices.Clone(s)
			nan[at] = float32(math.NaN())
			if got := Peak(nan); !math.IsNaN(float64(got)) {
				t.Fatalf("n %d, NaN at %d: Peak = %v", n, at, got)
			}
		}
	}
}

func TestAddScaledGivesTheBitsOfTheGoLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 200 {
		src, dst := values(rng, n+rng.IntN(3)), values(rng, n)
		w := rng.Float32() * 7
		want := slices.Clone(dst)
		for k := range want {
			want[k] += float32(w * src[k])
		}
		AddScaled(dst, w, src)
		if !slices.Equal(dst, want) {
			t.Fatalf("n %d: AddScaled = %v, want %v", n, dst, want)
		}
	}
}

func BenchmarkPeak(b *testing.B) {
	s := values(rand.New(rand.NewPCG(1, 2)), 5000)
	for b.Loop() {
		Peak(s)
	}
}

func BenchmarkAddScaled(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src, dst := values(rng, 5000), values(rng, 5000)
	for b.Loop() {
		AddScaled(dst, 0.3, src)
	}
}
