package seq

import "github.com/recsys/recsys/trainer/internal/vec"

// nearest returns in out[:0], in ascending order, the indices of the k
// largest values of v; among equal values the lower indices win, as in
// trainer.TopN. v must hold no NaN. tmp is scratch space, returned grown.
//
// It finds the k-th largest value by quickselect on a copy of v and then
// collects the indices in one scan, so the result comes out sorted: sknn
// votes in index order (float sums depend on it), and a heap of the best k
// followed by a sort cost several times as much at k = 200.
func nearest(v []float32, k int, out []int32, tmp []float32) ([]int32, []float32) {
	out = out[:0]
	if k <= 0 {
		return out, tmp
	}
	if len(v) <= k {
		for i := range v {
			out = append(out, int32(i))
		}
		return out, tmp
	}
	tmp = append(tmp[:0], v...)
	t := vec.Kth(tmp, k-1)
	ties := k // the values equal to t that make it in: k minus those above it
	for _, x := range tmp[:k-1] {
		if x > t {
			ties--
		}
	}
	for i, x := range v {
		if x > t || x == t && ties > 0 {
			if x == t {
				ties--
			}
			out = append(out, int32(i))
		}
	}
	return out, tmp
}
