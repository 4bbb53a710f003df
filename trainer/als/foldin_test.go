package als

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/mf"
)

// referenceFoldIn is Model.FoldIn as first written: fresh buffers, whole
// rows combined, LAPACK's Potrf and Potrs.
func referenceFoldIn(m *Model, h []trainer.Event) []float32 {
	idx, val := m.f.Strength.History(h)
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
	conf := recency(h, idx, m.f.RecentBoost, m.f.RecentDecay)
	for j, v := range val {
		conf[j] *= cf.of(v)
	}
	k, y := m.f.Factors, m.f.Y
	b := make([]float32, k)
	mf.Combine(y, k, idx, conf, b)
	a := append([]float32(nil), m.g.Data...)
	w := make([]float32, n)
	for p := 0; p < k; p++ {
		for j, i := range idx {
			w[j] = (conf[j] - m.neg(i)) * y[int(i)*k+p]
		}
		mf.Combine(y, k, idx, w, a[p*k:(p+1)*k])
	}
	return referenceSolveSPD(k, a, b)
}

func referenceSolveSPD(k int, a, b []float32) []float32 {
	a64, b64 := make([]float64, k*k), make([]float64, k)
	for j, v := range a[:k*k] {
		a64[j] = float64(v)
	}
	for j, v := range b[:k] {
		b64[j] = float64(v)
	}
	t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: a64})
	if !ok {
		return nil
	}
	lapack64.Potrs(t, blas64.General{Rows: k, Cols: 1, Stride: 1, Data: b64})
	out := make([]float32, k)
	for p, v := range b64 {
		out[p] = float32(v)
	}
	return out
}

// browsing builds users viewing, carting and buying around a catalog of n
// items, an hour apart, with repeats.
func browsing(users, n int) *trainer.Dataset {
	rng := rand.New(rand.NewPCG(3, 4))
	b := trainer.NewBuilder()
	types := []schemas.EventType{schemas.View, schemas.View, schemas.View, schemas.AddToCart, schemas.Purchase, schemas.RemoveFromCart}
	for u := range users {
		cur := rng.IntN(n)
		for k := range 5 + rng.IntN(40) {
			cur = (cur + rng.IntN(7)) % n
			b.AddMillis(fmt.Sprint("u", u), fmt.Sprint("p", cur), types[rng.IntN(len(types))], int64(u*1000+k)*3_600_000)
		}
	}
	return b.Build()
}

func TestFoldInGivesTheBitsOfTheReference(t *testing.T) {
	d := browsing(1500, 1200)
	fc := trainer.FitConfig{Weights: features.DefaultWeights(), Threads: 2, Seed: 3}
	for _, a := range []ALS{
		{},
		{Factors: 20, PopWeight: 0.5, Weighting: mf.TFIDF, Iterations: 3},
		{Factors: 13, Epsilon: -1, RecentBoost: -1, Weighting: mf.NoWeighting, Iterations: 3},
	} {
		m, err := a.FitModel(context.Background(), d, fc)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(5, 6))
		scores, want := make([]float32, m.Items()), make([]float32, m.Items())
		for trial := range 700 {
			s := d.Seqs[rng.IntN(len(d.Seqs))]
			h := slices.Clone(s[rng.IntN(len(s)):])
			if trial%7 == 0 {
				h = append(h, trainer.Event{Item: int32(m.Items() + trial)}) // unknown to the model
			}
			x, ref := m.FoldIn(h), referenceFoldIn(m, h)
			if !slices.Equal(x, ref) {
				t.Fatalf("%+v, trial %d: FoldIn = %v, want %v", a, trial, x, ref)
			}
			m.Score(h, scores)
			clear(want)
			if ref != nil {
				mf.Dots(m.f.Y, m.f.Factors, allRows(m.Items()), ref, want)
			}
			if !slices.Equal(scores, want) {
				t.Fatalf("%+v, trial %d: scores differ from the reference", a, trial)
			}
		}
	}
}

// allRows lists rows 0..n-1, for Dots over every item.
func allRows(n int) []int32 {
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	return rows
}
