package als

import (
	"slices"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/mf"
)

// foldScratch is one fold-in's buffers, pooled by the model so that scoring
// allocates nothing.
type foldScratch struct {
	idx             []int32   // the history's items
	val, conf, d, w []float32 // per item of idx
	done            []bool    // per item of idx
	row, b, x       []float32 // k each; row is one row of the system
	work            []float64 // k × k + 2k: the system in float64, then the solver's scratch
}

func newFoldScratch(k int) *foldScratch {
	return &foldScratch{row: make([]float32, k), b: make([]float32, k), x: make([]float32, k), work: make([]float64, k*k+2*k)}
}

// Score implements trainer.Component: fold-in, then one dot product per
// item. A history with no known item scores every item 0.
func (m *Model) Score(h []trainer.Event, scores []float32) {
	sc := m.fold.Get().(*foldScratch)
	if x := m.foldIn(h, sc); x != nil {
		mf.DotsAll(m.f.Y, m.f.Factors, x, scores[:m.Items()])
	} else {
		clear(scores)
	}
	m.fold.Put(sc)
}

// FoldIn returns the user vector of history h, holding the item factors
// fixed: the exact solution of (Yᵀ·diag(n)·Y + reg·I + Σ (cᵢ−nᵢ)·yᵢyᵢᵀ) x =
// Σ cᵢ·yᵢ (n the missing-entry weights, all 1 by default) by Cholesky,
// O(len(h)·k² + k³), where cᵢ is the confidence training gives item i times
// its recency multiplier (ALS.RecentBoost); without the boost x is what
// training would give a user with history h. It returns nil when h has no
// known item.
func (m *Model) FoldIn(h []trainer.Event) []float32 {
	sc := m.fold.Get().(*foldScratch)
	x := slices.Clone(m.foldIn(h, sc))
	m.fold.Put(sc)
	return x
}

// foldIn is FoldIn in sc's buffers; the result is sc.x, or nil.
func (m *Model) foldIn(h []trainer.Event, sc *foldScratch) []float32 {
	idx, val := m.f.Strength.AppendHistory(sc.idx, sc.val, h)
	sc.idx, sc.val = idx, val
	n := 0
	for j, i := range idx {
		if int(i) < m.Items() {
			idx[n], val[n] = i, val[j]
			n++
		}
	}
	idx, val = idx[:n], val[:n]
	if n == 0 {
		return nil
	}
	m.f.Weighting.Apply(idx, val)
	cf := confidence{alpha: m.f.Alpha, epsilon: m.f.Epsilon}
	sc.conf, sc.done = appendRecency(sc.conf[:0], sc.done[:0], h, idx, m.f.RecentBoost, m.f.RecentDecay)
	conf := sc.conf
	for j, v := range val {
		conf[j] *= cf.of(v)
	}
	k, y := m.f.Factors, m.f.Y
	b := sc.b // Σ cᵢ·yᵢ
	clear(b)
	mf.Combine(y, k, idx, conf, b)
	m.system(sc, idx, conf)
	if !mf.SolveUpperInto(sc.x, b, sc.work) {
		return nil
	}
	return sc.x
}

// system writes the upper triangle of G + Σ (cᵢ−nᵢ)·yᵢyᵢᵀ into sc.work
// in float64, where the solver wants it, row by row: row p of G gains
// Σ (cᵢ−nᵢ)·yᵢ[p]·yᵢ in one Combine in float32, as a whole row (the kernel's
// eight-register path; a shorter one would take its latency-bound one), and
// is then widened from column p on. One row of float32 scratch, not a k × k
// matrix, keeps the fold-in's memory small.
func (m *Model) system(sc *foldScratch, idx []int32, conf []float32) {
	k, y, row, u := m.f.Factors, m.f.Y, sc.row, sc.work
	d := grow(sc.d, len(idx))
	w := grow(sc.w, len(idx))
	sc.d, sc.w = d, w
	for j, i := range idx {
		d[j] = conf[j] - m.neg(i)
	}
	for p := 0; p < k; p++ {
		copy(row, m.g.Data[p*k:(p+1)*k])
		for j, i := range idx {
			w[j] = d[j] * y[int(i)*k+p]
		}
		mf.Combine(y, k, idx, w, row)
		for q, v := range row[p:] {
			u[p*k+p+q] = float64(v)
		}
	}
}

// grow returns s resized to n, reallocated when it is too small.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n, 2*n)
	}
	return s[:n]
}
