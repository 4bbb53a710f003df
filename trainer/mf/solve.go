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
	x := make([]float32, k)
	if !SolveSPDInto(x, a, b, make([]float64, k*k+2*k)) {
		return nil
	}
	return x
}

// SolveSPDInto is SolveSPD writing the solution into x (len k), with work
// (at least k² + 2k long) as scratch, so that a caller solving many small
// systems allocates nothing. It reports false, leaving x undefined, if a is
// not positive definite.
func SolveSPDInto(x, a, b []float32, work []float64) bool {
	k := len(x)
	u := work[:k*k]
	for p := 0; p < k; p++ { // the upper triangle: all that is read
		for q, v := range a[p*k+p : p*k+k] {
			u[p*k+p+q] = float64(v)
		}
	}
	return SolveUpperInto(x, b, work)
}

// SolveUpperInto is SolveSPDInto for a system already in work: the upper
// triangle of a (k × k, row-major, in float64) in work[:k²], where it is
// overwritten by its Cholesky factor; the rest of work is scratch. Up to 64
// × 64 it factors and solves with the kernels of cholesky.go, beyond with
// LAPACK; the results are LAPACK's bit for bit either way.
func SolveUpperInto(x, b []float32, work []float64) bool {
	k := len(x)
	u, rhs, col := work[:k*k], work[k*k:k*k+k], work[k*k+k:k*k+2*k]
	for j, v := range b[:k] {
		rhs[j] = float64(v)
	}
	if !factor(k, u, col) {
		return false
	}
	solveCholesky(k, u, rhs)
	for p, v := range rhs {
		x[p] = float32(v)
	}
	return true
}

// factor is LAPACK's Dpotrf(Upper) of the k × k matrix in u.
func factor(k int, u, col []float64) bool {
	if k <= maxUnblocked {
		return potf2(k, u, col)
	}
	_, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: u})
	return ok
}
