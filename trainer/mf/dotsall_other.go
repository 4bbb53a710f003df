//go:build !amd64 || purego

package mf

// DotsAll writes row(i)·x into out[i] for every i < len(out), where row(i)
// is y[i·stride : i·stride+len(x)]: Dots over rows 0, 1, …, len(out)−1.
func DotsAll(y []float32, stride int, x, out []float32) {
	checkAll(y, stride, len(x), len(out))
	dotsAllChunked(y, stride, x, out)
}
