package mf

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// SolveSPD solves a·x = b for a symmetric positive definite k × k matrix a
// (row-major, upper triangle read) in float64 by Cholesky, or returns nil if
// a is not positive definite. It calls LAPACK directly rather than
// gonum/mat, whose condition estimate would cost as much as the
// factorisation at these sizes.
func SolveSPD(k int, a, b []float32) []float32 {
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
