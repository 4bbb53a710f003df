package als

import (
	"math"
	"slices"

	"github.com/recsys/recsys/trainer"
)

// confidence maps a (re-weighted) interaction strength w to the confidence
// of an observed entry. Training and fold-in share it through the model file.
type confidence struct {
	alpha, epsilon float64 // epsilon <= 0: linear
}

func (a ALS) confidence() confidence {
	return confidence{alpha: a.Alpha, epsilon: max(a.Epsilon, 0)}
}

// of returns 1 + alpha·log(1 + w/epsilon), or 1 + alpha·w when linear.
func (c confidence) of(w float32) float32 {
	if c.epsilon > 0 {
		return 1 + float32(c.alpha*math.Log1p(float64(w)/c.epsilon))
	}
	return 1 + float32(c.alpha)*w
}

// recency returns the fold-in multiplier of each item of idx (ascending
// ids): 1 + boost·decay^r for the item whose latest event is the r-th most
// recent distinct item of h among idx, by position in h (the history comes
// oldest first, so position is click order even when timestamps tie). All 1
// when boost <= 0.
func recency(h []trainer.Event, idx []int32, boost, decay float64) []float32 {
	mult, _ := appendRecency(nil, nil, h, idx, boost, decay)
	return mult
}

// appendRecency is recency writing into the storage of mult, with done as
// scratch; it returns both, grown to len(idx).
func appendRecency(mult []float32, done []bool, h []trainer.Event, idx []int32, boost, decay float64) ([]float32, []bool) {
	mult = mult[:0]
	for range idx {
		mult = append(mult, 1)
	}
	if boost <= 0 {
		return mult, done
	}
	done = append(done[:0], make([]bool, len(idx))...)
	f := boost // boost·decay^r for the next distinct item
	for t := len(h) - 1; t >= 0 && f > 1e-6; t-- {
		k, ok := slices.BinarySearch(idx, h[t].Item)
		if !ok || done[k] {
			continue
		}
		done[k] = true
		mult[k] = float32(1 + f)
		f *= decay
	}
	return mult, done
}
