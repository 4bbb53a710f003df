package mf

// checkRows panics unless every row idx[t] of y, width n, is in range: the
// assembly kernels read memory unchecked.
func checkRows(y []float32, stride int, idx []int32, n int) {
	if n > stride && len(idx) > 0 {
		panic("mf: row width exceeds stride")
	}
	for _, r := range idx {
		if r < 0 || int(r)*stride+n > len(y) {
			panic("mf: row index out of range")
		}
	}
}

func combineGo(y []float32, stride int, idx []int32, w, out []float32, from int) {
	if from >= len(out) {
		return
	}
	for t, r := range idx {
		row := y[int(r)*stride+from : int(r)*stride+len(out)]
		for j, v := range row {
			out[from+j] += w[t] * v
		}
	}
}

func dotsGo(y []float32, stride int, idx []int32, x, out []float32) {
	for t, r := range idx {
		out[t] = Dot(y[int(r)*stride:int(r)*stride+len(x)], x)
	}
}

func scaleAddGo(a float32, y []float32, b float32, x []float32) {
	y = y[:len(x)]
	for j, v := range x {
		y[j] = a*y[j] + b*v
	}
}
