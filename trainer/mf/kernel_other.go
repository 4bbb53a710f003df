//go:build !amd64 || purego

package mf

import "gonum.org/v1/gonum/blas/gonum"

// Dot returns x·y; y must be at least as long as x.
func Dot(x, y []float32) float32 { return gonum.Implementation{}.Sdot(len(x), x, 1, y, 1) }

// Axpy adds alpha·x to y; y must be at least as long as x.
func Axpy(alpha float32, x, y []float32) { gonum.Implementation{}.Saxpy(len(x), alpha, x, 1, y, 1) }

// Combine adds Σ_t w[t]·row(idx[t]) to out, where row(r) is
// y[r·stride : r·stride+len(out)]: a gathered matrix-vector product.
func Combine(y []float32, stride int, idx []int32, w, out []float32) {
	checkRows(y, stride, idx, len(out))
	combineGo(y, stride, idx, w[:len(idx)], out, 0)
}

// Dots writes row(idx[t])·x into out[t] for every t, where row(r) is
// y[r·stride : r·stride+len(x)].
func Dots(y []float32, stride int, idx []int32, x, out []float32) {
	checkRows(y, stride, idx, len(x))
	dotsGo(y, stride, idx, x, out[:len(idx)])
}

// ScaleAdd sets y = a·y + b·x in one pass; y must be at least as long as x.
func ScaleAdd(a float32, y []float32, b float32, x []float32) { scaleAddGo(a, y, b, x) }
