package mf

import (
	"context"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/gonum"
)

// Scale multiplies x by alpha.
func Scale(alpha float32, x []float32) { gonum.Implementation{}.Sscal(len(x), alpha, x, 1) }

// Vec returns row r of a row-major table with k columns.
func Vec(t []float32, r, k int) []float32 { return t[r*k : (r+1)*k : (r+1)*k] }

// Random returns an n × k row-major table with entries uniform in
// [-scale, scale), from its own generator seeded by seed.
func Random(n, k int, scale float32, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	t := make([]float32, n*k)
	for j := range t {
		t[j] = (2*rng.Float32() - 1) * scale
	}
	return t
}

// ScoreAll writes t[i]·x for every row i of t into scores.
func ScoreAll(t []float32, k int, x []float32, scores []float32) {
	for i := range scores {
		scores[i] = Dot(Vec(t, i, k), x)
	}
}

// Sym is a symmetric k × k matrix, row-major.
type Sym struct {
	K    int
	Data []float32
	rows []int32 // 0..K-1, the row list for Combine
}

// NewSym wraps row-major data (both triangles filled).
func NewSym(k int, data []float32) *Sym {
	rows := make([]int32, k)
	for r := range rows {
		rows[r] = int32(r)
	}
	return &Sym{K: k, Data: data, rows: rows}
}

// Mul writes s·x into out.
func (s *Sym) Mul(x, out []float32) {
	clear(out[:s.K])
	Combine(s.Data, s.K, s.rows, x, out[:s.K]) // s·x = Σ_r x[r]·row(r)
}

// Gram returns tᵀt + reg·I for an n × k row-major table t. Rows are summed
// in fixed blocks whose partial sums are added in block order, so the result
// does not depend on threads.
func Gram(ctx context.Context, t []float32, k int, reg float32, threads int) (*Sym, error) {
	const block = 512
	n := len(t) / k
	parts := make([][]float32, (n+block-1)/block)
	err := For(ctx, len(parts), threads, 1, func(_, lo, hi int) {
		for b := lo; b < hi; b++ {
			parts[b] = gramBlock(t, k, b*block, min((b+1)*block, n))
		}
	})
	if err != nil {
		return nil, err
	}
	g := make([]float32, k*k)
	for _, p := range parts {
		Axpy(1, p, g)
	}
	for a := 0; a < k; a++ {
		g[a*k+a] += reg
	}
	return NewSym(k, g), nil
}

// gramBlock sums the outer products of rows lo..hi-1: row a of the result is
// Σ_r t[r][a]·t[r], one Combine over the block's rows per a.
func gramBlock(t []float32, k, lo, hi int) []float32 {
	idx := make([]int32, hi-lo)
	for j := range idx {
		idx[j] = int32(lo + j)
	}
	w := make([]float32, len(idx))
	g := make([]float32, k*k)
	for a := 0; a < k; a++ {
		for j, r := range idx {
			w[j] = t[int(r)*k+a]
		}
		Combine(t, k, idx, w, g[a*k:(a+1)*k])
	}
	return g
}
