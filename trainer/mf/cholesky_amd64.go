//go:build !purego

package mf

import "golang.org/x/sys/cpu"

//go:noescape
func gemvTAVX(t []float64, a []float64, lda int, y []float64)

//go:noescape
func axpySkipAVX(alpha float64, x, y []float64)

// wideGemvT says whether gemvT keeps 32 columns in registers, so that
// updateRow should hand it whole windows.
func wideGemvT() bool { return cpu.X86.HasAVX }

// gemvT adds Σ_i t[i]·a[i·lda : i·lda+len(y)] to y, rows in order, each
// product rounded before it is added: gonum's GemvT with beta 1, bit for
// bit.
func gemvT(t, a []float64, lda int, y []float64) {
	if len(t) > 0 && (len(y) > lda || (len(t)-1)*lda+len(y) > len(a)) {
		panic("mf: gemvT: rows out of range")
	}
	if cpu.X86.HasAVX {
		gemvTAVX(t, a, lda, y)
		return
	}
	gemvTGo(t, a, lda, y)
}

// axpySkip adds alpha·x[c] to y[c] wherever x[c] ≠ 0; y must be at least
// as long as x.
func axpySkip(alpha float64, x, y []float64) {
	y = y[:len(x)]
	done := 0
	if cpu.X86.HasAVX {
		axpySkipAVX(alpha, x, y)
		done = len(x) &^ 3
	}
	axpySkipGo(alpha, x[done:], y[done:])
}
