package trainer

import (
	"math"

	"github.com/recsys/recsys/trainer/internal/vec"
)

// Scored is an item id with its score.
type Scored struct {
	Item  int32
	Score float32
}

// TopN returns the n best items of scores, best first, skipping items whose
// score is -Inf or NaN (the caller masks exclusions that way). Ties go to the
// lower item id, so results are deterministic.
func TopN(scores []float32, n int) []Scored {
	if n <= 0 {
		return nil
	}
	return TopNInto(make([]Scored, 0, min(n, len(scores))), scores, n)
}

// TopNInto is TopN writing into dst's storage (its contents are ignored)
// when it has room for n, so a caller ranking many users allocates nothing.
//
// For n up to 256 it keeps the best n so far in a sorted array and rejects
// an item with one comparison against the n-th best score, which is what
// almost every item of a large catalog needs; the few that get in are placed
// by binary search and one memmove. At 10^4–10^5 items and n = 10 or 100
// that is 3–4× faster than the container/heap version it replaced, and
// allocation-free (BenchmarkTopN). With many more blocks of scores than n
// it first bounds the n-th best score by block maxima (topNBlocks).
// Larger n use a typed heap, whose O(log n) insertion wins there.
func TopNInto(dst []Scored, scores []float32, n int) []Scored {
	top := dst[:0]
	switch blocks := (len(scores) + vec.Block - 1) / vec.Block; {
	case n <= 0:
		return top
	case n > 256:
		return topNHeap(top, scores, n)
	case blocks >= 3*n && blocks <= maxBlocks:
		return topNBlocks(top, scores, n)
	}
	// floor is the n-th best score once there are n, else -Inf. s > floor
	// rejects scores no better (ties lose to the earlier, lower id), -Inf
	// and NaN in one comparison.
	floor := float32(math.Inf(-1))
	for i, s := range scores {
		if s > floor {
			top, floor = push(top, n, i, s, floor)
		}
	}
	return top
}

// maxBlocks bounds the block maxima topNBlocks keeps on the stack.
const maxBlocks = 1024

// topNBlocks is TopNInto for many more blocks of vec.Block scores than n.
// Every item that enters the sorted array costs a mispredicted branch, a
// binary search and a memmove, and a plain scan admits about
// n·(1 + ln(items/n)) of them (some 270 for the scorer's 48 of 5,000), far
// more time than the scan itself. The n-th largest block maximum is a lower
// bound of the n-th best score (n blocks each hold an item that high), so
// the scan skips every block below it and every item below it, and only
// about n items get in. The items are still scanned in id order, so ties go
// the same way and the result is the plain scan's.
func topNBlocks(top []Scored, scores []float32, n int) []Scored {
	var maxima, sel [maxBlocks]float32
	blocks := (len(scores) + vec.Block - 1) / vec.Block
	vec.BlockMax(scores, maxima[:blocks])
	copy(sel[:blocks], maxima[:blocks])
	bound := vec.Kth(sel[:blocks], n-1) // -Inf when fewer than n blocks hold a number: no bound
	floor := float32(math.Inf(-1))
	for b, m := range maxima[:blocks] {
		if m < bound {
			continue
		}
		lo := b * vec.Block
		for j, s := range scores[lo:min(lo+vec.Block, len(scores))] {
			if s >= bound && s > floor {
				top, floor = push(top, n, lo+j, s, floor)
			}
		}
	}
	return top
}

// push puts item i, scoring s, into top (best first, at most n entries)
// after the entries that score at least as much, and returns top and its
// floor: the n-th best score once there are n, else floor unchanged.
func push(top []Scored, n, i int, s, floor float32) ([]Scored, float32) {
	lo, hi := 0, len(top) // first position whose score is below s
	for lo < hi {
		if mid := int(uint(lo+hi) >> 1); top[mid].Score >= s {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if len(top) < n {
		top = append(top, Scored{})
	}
	copy(top[lo+1:], top[lo:len(top)-1])
	top[lo] = Scored{Item: int32(i), Score: s}
	if len(top) == n {
		floor = top[n-1].Score
	}
	return top, floor
}

// topNHeap is TopNInto for large n: a min-heap of the best n so far (the
// worst of them on top), heap-sorted best first at the end.
func topNHeap(top []Scored, scores []float32, n int) []Scored {
	floor := float32(math.Inf(-1))
	for i, s := range scores {
		if !(s > floor) {
			continue
		}
		if len(top) < n {
			top = append(top, Scored{Item: int32(i), Score: s})
			siftUp(top, len(top)-1)
		} else {
			top[0] = Scored{Item: int32(i), Score: s}
			siftDown(top, 0, n)
		}
		if len(top) == n {
			floor = top[0].Score
		}
	}
	for end := len(top) - 1; end > 0; end-- {
		top[0], top[end] = top[end], top[0]
		siftDown(top, 0, end)
	}
	return top
}

// worse orders the heap: lower score, or the higher id at equal scores, so
// that lower ids win ties.
func worse(a, b Scored) bool {
	return a.Score < b.Score || a.Score == b.Score && a.Item > b.Item
}

func siftUp(h []Scored, j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !worse(h[j], h[p]) {
			return
		}
		h[j], h[p] = h[p], h[j]
		j = p
	}
}

func siftDown(h []Scored, j, n int) {
	for {
		c := 2*j + 1
		if c >= n {
			return
		}
		if c+1 < n && worse(h[c+1], h[c]) {
			c++
		}
		if !worse(h[c], h[j]) {
			return
		}
		h[j], h[c] = h[c], h[j]
		j = c
	}
}

// Mask sets the scores of items to -Inf so TopN skips them.
func Mask(scores []float32, items []int32) {
	for _, i := range items {
		if int(i) < len(scores) {
			scores[i] = float32(math.Inf(-1))
		}
	}
}
