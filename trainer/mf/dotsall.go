package mf

// checkAll panics unless rows 0..n−1 of y, width width, are in range.
func checkAll(y []float32, stride, width, n int) {
	if n > 0 && (width > stride || (n-1)*stride+width > len(y)) {
		panic("mf: rows out of range")
	}
}

// dotsAllChunked is DotsAll through Dots, 64 rows per call.
func dotsAllChunked(y []float32, stride int, x, out []float32) {
	var rows [64]int32
	for r := range rows {
		rows[r] = int32(r)
	}
	for lo := 0; lo < len(out); lo += len(rows) {
		n := min(len(rows), len(out)-lo)
		Dots(y[lo*stride:], stride, rows[:n], x, out[lo:lo+n])
	}
}
