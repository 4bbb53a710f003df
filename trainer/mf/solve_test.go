package mf

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// referenceSolveSPD is SolveSPD as first written, with LAPACK's Potrs.
func referenceSolveSPD(k int, a, b []float32) []float32 {
	a64 := make([]float64, k*k)
	for j, v := range a[:k*k] {
		a64[j] = float64(v)
	}
	b64 := make([]float64, k)
	for j, v := range b[:k] {
		b64[j] = float64(v)
	}
	t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: a64})
	if !ok {
		return nil
	}
	lapack64.Potrs(t, blas64.General{Rows: k, Cols: 1, Stride: 1, Data: b64})
	out := make([]float32, k)
	for p, v := range b64 {
		out[p] = float32(v)
	}
	return out
}

// spd returns yᵀy + reg·I for a random n × k table y: the kind of system
// ALS fold-in solves.
func spd(rng *rand.Rand, n, k int, reg float32) []float32 {
	y := Random(n, k, 1, rng.Uint64())
	a := make([]float32, k*k)
	for p := range k {
		for q := range k {
			for r := range n {
				a[p*k+q] += y[r*k+p] * y[r*k+q]
			}
		}
		a[p*k+p] += reg
	}
	return a
}

func TestSolveSPDGivesTheBitsOfLAPACKsPotrs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		k := []int{1, 2, 7, 16, 64, 65, 100}[trial%7]
		a := spd(rng, k+rng.IntN(3*k), k, []float32{1e-3, 0.1, 1}[trial%3])
		if trial%10 == 0 {
			a[k*k/2] = 0 // a zero in the factor's upper triangle is skipped, as Dtrsm does
		}
		b := Random(1, k, 10, rng.Uint64())
		want := referenceSolveSPD(k, a, b)
		if got := SolveSPD(k, a, b); !slices.Equal(got, want) {
			t.Fatalf("trial %d (k %d): got %v, want %v", trial, k, got, want)
		}
	}
	notPD := []float32{1, 2, 2, 1}
	if got := SolveSPD(2, notPD, []float32{1, 1}); got != nil {
		t.Errorf("indefinite system solved: %v", got)
	}
}

func TestFactorAndSolveGiveTheFloat64BitsOfLAPACK(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 400 {
		k := 1 + rng.IntN(70)
		a32 := spd(rng, k+rng.IntN(2*k+1), k, []float32{1e-4, 0.1, 1}[trial%3])
		a := make([]float64, k*k)
		for j, v := range a32 {
			a[j] = float64(v)
		}
		switch trial % 10 {
		case 1:
			a[(k-1)*k+k-1] = -1 // not positive definite at the last pivot
		case 2:
			a[k/2] = 0 // a zero off the diagonal, skipped by Dtrsm
		}
		want := slices.Clone(a)
		_, wantOK := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: want})
		got := slices.Clone(a)
		gotOK := factor(k, got, make([]float64, k))
		if gotOK != wantOK || !upperEqual(got, want, k) {
			t.Fatalf("trial %d (k %d): factor ok %v, LAPACK ok %v, or the factors differ", trial, k, gotOK, wantOK)
		}
		if !gotOK {
			continue
		}
		b := make([]float64, k)
		for j := range b {
			b[j] = rng.NormFloat64()
		}
		wantX := slices.Clone(b)
		lapack64.Potrs(blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: k, Stride: k, Data: want}, blas64.General{Rows: k, Cols: 1, Stride: 1, Data: wantX})
		solveCholesky(k, got, b)
		if !slices.Equal(b, wantX) {
			t.Fatalf("trial %d (k %d): solution differs from Potrs", trial, k)
		}
	}
}

// upperEqual compares the upper triangles of two k × k matrices bit for bit.
func upperEqual(a, b []float64, k int) bool {
	for p := range k {
		for q := p; q < k; q++ {
			if math.Float64bits(a[p*k+q]) != math.Float64bits(b[p*k+q]) {
				return false
			}
		}
	}
	return true
}

// BenchmarkSolveSPD is one ALS fold-in's solve at 64 factors: the kernels
// of cholesky.go against LAPACK's Potrf and Potrs on the same buffers.
func BenchmarkSolveSPD(b *testing.B) {
	const k = 64
	rng := rand.New(rand.NewPCG(1, 2))
	a, rhs := spd(rng, 200, k, 1), Random(1, k, 1, 3)
	x, work := make([]float32, k), make([]float64, k*k+2*k)
	b.Run("kernels", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			SolveSPDInto(x, a, rhs, work)
		}
	})
	b.Run("lapack", func(b *testing.B) {
		b.ReportAllocs()
		u, v := work[:k*k], work[k*k:k*k+k]
		for b.Loop() {
			for j, w := range a {
				u[j] = float64(w)
			}
			for j, w := range rhs {
				v[j] = float64(w)
			}
			t, _ := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: u})
			lapack64.Potrs(t, blas64.General{Rows: k, Cols: 1, Stride: 1, Data: v})
		}
	})
}
