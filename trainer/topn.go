package trainer

import (
	"container/heap"
	"math"
)

// Scored is an item id with its score.
type Scored struct {
	Item  int32
	Score float32
}

// TopN returns the n best items of scores, best first, skipping items whose
// score is -Inf or NaN (the caller masks exclusions that way). Ties go to the
// lower item id, so results are deterministic. O(len(scores)·log n).
func TopN(scores []float32, n int) []Scored {
	if n <= 0 {
		return nil
	}
	h := make(minHeap, 0, n)
	for i, s := range scores {
		if math.IsInf(float64(s), -1) || s != s {
			continue
		}
		if len(h) < n {
			heap.Push(&h, Scored{int32(i), s})
		} else if s > h[0].Score {
			h[0] = Scored{int32(i), s}
			heap.Fix(&h, 0)
		}
	}
	out := make([]Scored, len(h))
	for k := len(h) - 1; k >= 0; k-- {
		out[k] = heap.Pop(&h).(Scored)
	}
	return out
}

// minHeap keeps the worst of the current best n on top; among equal scores the
// higher item id is "worse", so lower ids win ties.
type minHeap []Scored

func (h minHeap) Len() int { return len(h) }
func (h minHeap) Less(i, j int) bool {
	if h[i].Score != h[j].Score {
		return h[i].Score < h[j].Score
	}
	return h[i].Item > h[j].Item
}
func (h minHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)   { *h = append(*h, x.(Scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Mask sets the scores of items to -Inf so TopN skips them.
func Mask(scores []float32, items []int32) {
	for _, i := range items {
		if int(i) < len(scores) {
			scores[i] = float32(math.Inf(-1))
		}
	}
}
