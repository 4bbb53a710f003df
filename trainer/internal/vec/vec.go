package vec

import "math"

// Peak returns the largest of 0 and the values of s, or NaN if s holds a
// NaN: what folding the builtin max over s from 0 gives, up to the sign of
// a zero result.
func Peak(s []float32) float32 {
	var top float32
	n := 0
	if useAVX() && len(s) >= 8 {
		n = len(s) &^ 7
		var nan bool
		if top, nan = peakAVX(s[:n]); nan {
			return float32(math.NaN())
		}
	}
	for _, v := range s[n:] {
		if !(v <= top) { // v > top, or NaN
			if v != v {
				return v
			}
			top = v
		}
	}
	return top
}

// AddScaled adds w·src[k] to dst[k] for every k < len(dst), rounding the
// product before the sum (never a fused multiply-add), as the Go statement
// dst[k] += float32(w * src[k]) does. src must be at least as long as dst.
func AddScaled(dst []float32, w float32, src []float32) {
	src = src[:len(dst)]
	n := 0
	if useAVX() {
		n = len(dst) &^ 7
		addScaledAVX(w, src[:n], dst[:n])
	}
	for k := n; k < len(dst); k++ {
		dst[k] += float32(w * src[k])
	}
}
