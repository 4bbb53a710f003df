//go:build !purego

package vec

import "golang.org/x/sys/cpu"

// useAVX says whether the assembly kernels can run.
func useAVX() bool { return cpu.X86.HasAVX }

// peakAVX returns the largest of 0 and the values of s and whether s holds
// a NaN (the largest is then meaningless). len(s) must be a multiple of 8.
//
//go:noescape
func peakAVX(s []float32) (top float32, nan bool)

// addScaledAVX is AddScaled for len(dst) a multiple of 8 and len(src) ≥
// len(dst).
//
//go:noescape
func addScaledAVX(w float32, src, dst []float32)

// blockMaxAVX is BlockMax for whole blocks: len(s) = Block·len(out).
//
//go:noescape
func blockMaxAVX(s []float32, out []float32)
