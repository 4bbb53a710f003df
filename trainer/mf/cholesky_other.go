//go:build !amd64 || purego

package mf

// wideGemvT says whether gemvT keeps 32 columns in registers.
func wideGemvT() bool { return false }

// gemvT adds Σ_i t[i]·a[i·lda : i·lda+len(y)] to y, rows in order, each
// product rounded before it is added: gonum's GemvT with beta 1.
func gemvT(t, a []float64, lda int, y []float64) { gemvTGo(t, a, lda, y) }

// axpySkip adds alpha·x[c] to y[c] wherever x[c] ≠ 0; y must be at least
// as long as x.
func axpySkip(alpha float64, x, y []float64) { axpySkipGo(alpha, x, y) }
