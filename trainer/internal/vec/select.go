package vec

import "math"

// Kth returns the value at index k of s sorted in descending order and
// leaves s partitioned around it: s[:k] ≥ s[k] ≥ s[k+1:]. s must hold no
// NaN. It is Hoare's quickselect around a median of three, which splits
// runs of equal values evenly: expected linear time.
func Kth(s []float32, k int) float32 {
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := median3(s[lo], s[lo+(hi-lo)/2], s[hi])
		i, j := lo, hi
		for i <= j {
			for s[i] > p {
				i++
			}
			for s[j] < p {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		// s[lo:j+1] ≥ p, s[j+1:i] = p, s[i:hi+1] ≤ p
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

func median3(a, b, c float32) float32 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}

// Block is the width of BlockMax's blocks.
const Block = 32

// BlockMax writes into out[b] the largest value of s[b·Block : (b+1)·Block]
// (the last block may be shorter) that is not NaN, or −Inf if there is
// none, for every block b < len(out); out must have a slot per block. The
// sign of a zero maximum is unspecified.
func BlockMax(s []float32, out []float32) {
	full := min(len(s)/Block, len(out))
	done := 0
	if useAVX() {
		blockMaxAVX(s[:full*Block], out[:full])
		done = full
	}
	for b := done; b < len(out); b++ {
		m := float32(math.Inf(-1))
		for _, v := range s[b*Block : min((b+1)*Block, len(s))] {
			if v > m {
				m = v
			}
		}
		out[b] = m
	}
}
