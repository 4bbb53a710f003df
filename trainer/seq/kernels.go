package seq

import (
	"math"

	"gonum.org/v1/gonum/blas/gonum"
)

// Dense kernels for the GRU, all serial: the training loop parallelizes over
// minibatch rows itself, so that Threads is honoured and results depend only
// on the seed and the thread count. gonum's unit-stride float32 Sdot and Saxpy
// are SIMD assembly on amd64; its Sgemm would start goroutines of its own on
// matrices this size.

func dot(x, y []float32) float32 { return gonum.Implementation{}.Sdot(len(x), x, 1, y, 1) }

func axpy(alpha float32, x, y []float32) { gonum.Implementation{}.Saxpy(len(x), alpha, x, 1, y, 1) }

// row returns row r of a row-major matrix with k columns.
func row(t []float32, r, k int) []float32 { return t[r*k : (r+1)*k : (r+1)*k] }

// mulABt sets c (m×n) = a (m×k) · bᵀ, b being n×k.
func mulABt(a, b, c []float32, m, n, k int) {
	for i := range m {
		ai, ci := row(a, i, k), row(c, i, n)
		for j := range n {
			ci[j] = dot(ai, row(b, j, k))
		}
	}
}

// mulAB sets c (m×n) = a (m×k) · b (k×n).
func mulAB(a, b, c []float32, m, n, k int) {
	clear(c[:m*n])
	addAB(a, b, c, m, n, k)
}

// addAB adds a (m×k) · b (k×n) to c (m×n).
func addAB(a, b, c []float32, m, n, k int) {
	for i := range m {
		ci := row(c, i, n)
		for p, v := range row(a, i, k) {
			if v != 0 {
				axpy(v, row(b, p, n), ci)
			}
		}
	}
}

// addAtB adds aᵀ · b to c (k×n), a being m×k and b m×n.
func addAtB(a, b, c []float32, m, n, k int) {
	for i := range m {
		bi := row(b, i, n)
		for p, v := range row(a, i, k) {
			if v != 0 {
				axpy(v, bi, row(c, p, n))
			}
		}
	}
}

// transpose sets t (n×m) to the transpose of a (m×n).
func transpose(a, t []float32, m, n int) {
	for i := range m {
		for j, v := range row(a, i, n) {
			t[j*m+i] = v
		}
	}
}

// fastExp is exp(x) for x ≤ 0 to about 1e-6 relative error, several times
// faster than math.Exp: 2^(x·log2 e) split into the nearest integer power,
// set in the exponent bits, and a fraction in [-½, ½) by a degree-6 Taylor
// polynomial of e^(f·ln 2).
func fastExp(x float32) float32 {
	if x < -87 {
		return 0
	}
	t := float64(x) * math.Log2E
	n := math.Floor(t + 0.5)
	f := float32((t - n) * math.Ln2) // in [-ln2/2, ln2/2)
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720))))))
	return math.Float32frombits(math.Float32bits(p) + uint32(int32(n))<<23)
}
