package seq

// topK returns the indices of the k largest values of v, in no particular
// order, in out[:0]; among equal values lower indices win, as trainer.TopN.
// It keeps a typed min-heap of the current best, so nothing is boxed or
// allocated once out has capacity k.
func topK(v []float32, k int, out []int32) []int32 {
	h := out[:0]
	worse := func(a, b int32) bool { // is a worse than b
		if v[a] != v[b] {
			return v[a] < v[b]
		}
		return a > b
	}
	down := func(i int) {
		for {
			l, r, w := 2*i+1, 2*i+2, i
			if l < len(h) && worse(h[l], h[w]) {
				w = l
			}
			if r < len(h) && worse(h[r], h[w]) {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := range v {
		switch {
		case len(h) < k:
			h = append(h, int32(i))
			for j := len(h) - 1; j > 0 && worse(h[j], h[(j-1)/2]); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
		case k > 0 && worse(h[0], int32(i)):
			h[0] = int32(i)
			down(0)
		}
	}
	return h
}
