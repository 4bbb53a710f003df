package bpr

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/mf"
)

// referenceFoldIn is Model.FoldIn as first written, with fresh buffers.
func referenceFoldIn(m *Model, h []trainer.Event) []float32 {
	idx, w := m.f.Strength.History(h)
	n := 0
	var total, top float32
	for j, i := range idx {
		if int(i) < m.Items() {
			idx[n], w[n] = i, w[j]
			total, top = total+w[j], max(top, w[j])
			n++
		}
	}
	idx, w = idx[:n], w[:n]
	if n == 0 {
		return nil
	}
	k := m.f.Factors
	p := make([]float32, k)
	if m.f.FoldIn == FoldMean {
		mf.Scale(1/total, w)
		mf.Combine(m.f.Q, k, idx, w, p)
		return p
	}
	mf.Scale(1/top, w)
	hash := uint64(14695981039346656037)
	for _, i := range idx {
		hash = (hash ^ uint64(i)) * 1099511628211
	}
	rng := rand.New(rand.NewPCG(hash, uint64(len(idx))))
	lr, reg := float32(m.f.LR), float32(m.f.Reg)
	diff := make([]float32, k)
	for range m.f.FoldEpochs {
		for t, i := range idx {
			j := int32(rng.IntN(m.Items()))
			if j == i {
				continue
			}
			copy(diff, mf.Vec(m.f.Q, int(i), k))
			mf.Axpy(-1, mf.Vec(m.f.Q, int(j), k), diff)
			x := mf.Dot(p, diff) + m.f.Bias[i] - m.f.Bias[j]
			z := float32(1 / (1 + math.Exp(float64(x))))
			mf.ScaleAdd(1-lr*reg, p, lr*w[t]*z, diff)
		}
	}
	return p
}

func TestFoldInGivesTheBitsOfTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	b := trainer.NewBuilder()
	for u := range 800 {
		cur := rng.IntN(500)
		for k := range 3 + rng.IntN(30) {
			cur = (cur + rng.IntN(5)) % 500
			typ := []schemas.EventType{schemas.View, schemas.AddToCart, schemas.Purchase}[rng.IntN(3)]
			b.AddMillis(fmt.Sprint("u", u), fmt.Sprint("p", cur), typ, int64(u*100+k)*60_000)
		}
	}
	d := b.Build()
	fc := trainer.FitConfig{Weights: features.DefaultWeights(), Threads: 1, Seed: 3}
	for _, fold := range []FoldIn{FoldMean, FoldSGD} {
		c, err := BPR{Epochs: 2, FoldIn: fold, FoldEpochs: 3}.Fit(context.Background(), d, fc)
		if err != nil {
			t.Fatal(err)
		}
		m := c.(*Model)
		scores := make([]float32, m.Items())
		for trial := range 500 {
			s := d.Seqs[rng.IntN(len(d.Seqs))]
			h := slices.Clone(s[rng.IntN(len(s)):])
			if trial%7 == 0 {
				h = append(h, trainer.Event{Item: int32(m.Items() + trial)}) // unknown to the model
			}
			ref := referenceFoldIn(m, h)
			if got := m.FoldIn(h); !slices.Equal(got, ref) {
				t.Fatalf("%s, trial %d: FoldIn = %v, want %v", fold, trial, got, ref)
			}
			m.Score(h, scores)
			want := make([]float32, m.Items())
			if ref != nil {
				mf.Dots(m.f.Q, m.f.Factors, allRows(m.Items()), ref, want)
				for i, b := range m.f.Bias {
					want[i] += b
				}
			}
			if !slices.Equal(scores, want) {
				t.Fatalf("%s, trial %d: scores differ from the reference", fold, trial)
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
