//go:build !purego

package mf

import (
	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas/gonum"
)

// The float32 kernels are AVX2+FMA assembly (8 lanes, 4 accumulators) when
// the CPU has both, else gonum's SSE assembly. On the 64-factor vectors of
// ALS and BPR the FMA path is about twice as fast as gonum's, whose argument
// checks cost as much as the arithmetic at this length. Sums are reassociated
// differently on the two paths, so results agree to rounding only across
// machines; on one machine they are deterministic.

//go:noescape
func dotFMA(x, y []float32) float32

//go:noescape
func axpyFMA(alpha float32, x, y []float32)

// Dot returns x·y; y must be at least as long as x.
func Dot(x, y []float32) float32 {
	if len(y) < len(x) {
		panic("mf: Dot: y shorter than x")
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return dotFMA(x, y)
	}
	return gonum.Implementation{}.Sdot(len(x), x, 1, y, 1)
}

// Axpy adds alpha·x to y; y must be at least as long as x.
func Axpy(alpha float32, x, y []float32) {
	if len(y) < len(x) {
		panic("mf: Axpy: y shorter than x")
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		axpyFMA(alpha, x, y)
		return
	}
	gonum.Implementation{}.Saxpy(len(x), alpha, x, 1, y, 1)
}

//go:noescape
func combineFMA(y []float32, stride int, idx []int32, w []float32, out []float32)

//go:noescape
func dotsFMA(y []float32, stride int, idx []int32, x []float32, out []float32)

// Combine adds Σ_t w[t]·row(idx[t]) to out, where row(r) is
// y[r·stride : r·stride+len(out)]: a gathered matrix-vector product.
func Combine(y []float32, stride int, idx []int32, w, out []float32) {
	checkRows(y, stride, idx, len(out))
	if len(w) < len(idx) {
		panic("mf: Combine: fewer weights than rows")
	}
	done := 0
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		combineFMA(y, stride, idx, w, out)
		done = len(out) &^ 7
	}
	combineGo(y, stride, idx, w, out, done)
}

// Dots writes row(idx[t])·x into out[t] for every t, where row(r) is
// y[r·stride : r·stride+len(x)].
func Dots(y []float32, stride int, idx []int32, x, out []float32) {
	checkRows(y, stride, idx, len(x))
	if len(out) < len(idx) {
		panic("mf: Dots: out shorter than idx")
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && len(x) > 0 && len(x)%8 == 0 {
		dotsFMA(y, stride, idx, x, out)
		return
	}
	dotsGo(y, stride, idx, x, out)
}

//go:noescape
func axpbyFMA(a float32, y []float32, b float32, x []float32)

// ScaleAdd sets y = a·y + b·x in one pass; y must be at least as long as x.
func ScaleAdd(a float32, y []float32, b float32, x []float32) {
	if len(y) < len(x) {
		panic("mf: ScaleAdd: y shorter than x")
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		axpbyFMA(a, y, b, x)
		return
	}
	scaleAddGo(a, y, b, x)
}
