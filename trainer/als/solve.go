package als

import (
	"context"
	"math"
	"slices"

	"github.com/recsys/recsys/trainer/mf"
)

// scratch is one worker's buffers.
type scratch struct {
	r, p, ap []float32 // k each
	d, neg   []float32 // one per item of the row
}

func newScratch(k int) *scratch {
	b := make([]float32, 3*k)
	return &scratch{r: b[:k], p: b[k : 2*k], ap: b[2*k:]}
}

// system is what the half-step's rows share: g = Σ over all rows of the
// fixed side of w·yyᵀ (w the weight of a missing entry), and reg.
type system struct {
	g   *mf.Sym
	reg float32
}

// solveCG improves x towards the solution of
//
//	(scale·G + reg·I + Σᵢ (cᵢ−nᵢ)·yᵢyᵢᵀ) x = Σᵢ cᵢ·yᵢ
//
// where the sums run over the row's items idx with confidences conf and
// missing-entry weights neg (nᵢ = 1 and scale = 1 in Hu et al.; popularity
// weighting varies them), by steps conjugate-gradient iterations warm-started
// from x. The matrix is never formed: each product is G·p plus one gathered
// dot and one gathered combine over the row's items, k² + 2·k·len(idx)
// multiply-adds.
func solveCG(x []float32, sys system, scale float32, y []float32, idx []int32, conf, neg []float32, steps int, s *scratch) {
	k := len(x)
	r, p, ap := s.r, s.p, s.ap
	if cap(s.d) < len(idx) {
		s.d = make([]float32, len(idx), 2*len(idx))
	}
	d := s.d[:len(idx)]
	mul := func(v, out []float32) { // out = (scale·G + reg·I)·v
		sys.g.Mul(v, out)
		mf.Scale(scale, out)
		mf.Axpy(sys.reg, v, out)
	}
	mul(x, r) // r = b − A·x
	mf.Scale(-1, r)
	mf.Dots(y, k, idx, x, d)
	for j, c := range conf {
		d[j] = c - (c-neg[j])*d[j]
	}
	mf.Combine(y, k, idx, d, r)
	copy(p, r)
	rsOld := mf.Dot(r, r)
	if rsOld < 1e-20 {
		return
	}
	for range steps {
		mul(p, ap)
		mf.Dots(y, k, idx, p, d)
		for j, c := range conf {
			d[j] *= c - neg[j]
		}
		mf.Combine(y, k, idx, d, ap)
		alpha := rsOld / mf.Dot(p, ap)
		mf.Axpy(alpha, p, x)
		mf.Axpy(-alpha, ap, r)
		rsNew := mf.Dot(r, r)
		if rsNew < 1e-20 {
			return
		}
		mf.Scale(rsNew/rsOld, p)
		mf.Axpy(1, r, p)
		rsOld = rsNew
	}
}

// negativeWeights returns each item's weight as a missing entry: 1 for all
// when power is 0, else proportional to (1 + users of the item)^power and
// scaled to mean 1 (He et al. 2016's popularity-aware weighting: a popular
// item the user skipped is stronger evidence of disinterest).
func negativeWeights(ui *mf.Matrix, power float64) []float32 {
	w := make([]float32, ui.Cols)
	var sum float64
	for i, n := range ui.ColumnCounts() {
		v := math.Pow(1+float64(n), power)
		w[i] = float32(v)
		sum += v
	}
	mean := float32(sum / float64(max(len(w), 1)))
	for i := range w {
		w[i] /= mean
	}
	return w
}

// weightedGram returns Σ w_r·t_r t_rᵀ over the rows of t (w nil: all 1).
func weightedGram(ctx context.Context, t []float32, k int, w []float32, threads int) (*mf.Sym, error) {
	if w == nil {
		return mf.Gram(ctx, t, k, 0, threads)
	}
	scaled := slices.Clone(t)
	for r, v := range w {
		mf.Scale(float32(math.Sqrt(float64(v))), mf.Vec(scaled, r, k))
	}
	return mf.Gram(ctx, scaled, k, 0, threads)
}
