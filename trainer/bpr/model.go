package bpr

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/internal/vec"
	"github.com/recsys/recsys/trainer/mf"
)

// Model is a fitted BPR model: item factors and biases, and how to fold a
// history in. Immutable; safe for concurrent use.
type Model struct {
	f    modelFile
	fold sync.Pool // of *foldScratch
}

// foldScratch is one fold-in's buffers, pooled so that scoring allocates
// nothing.
type foldScratch struct {
	idx     []int32
	w       []float32 // per item of idx
	p, diff []float32 // k
}

type modelFile struct {
	Factors    int
	LR, Reg    float64
	FoldIn     FoldIn
	FoldEpochs int
	Strength   mf.Strength
	Q          []float32 // items × Factors
	Bias       []float32
}

func newModel(b BPR, weights map[schemas.EventType]float64, q, bias []float32) *Model {
	st := mf.Strength{Weights: weights, HalfLife: max(b.HalfLife, 0)}
	return fromFile(modelFile{Factors: b.Factors, LR: b.LR, Reg: b.Reg, FoldIn: b.FoldIn, FoldEpochs: b.FoldEpochs, Strength: st, Q: q, Bias: bias})
}

func fromFile(f modelFile) *Model {
	m := &Model{f: f}
	m.fold.New = func() any { return &foldScratch{p: make([]float32, f.Factors), diff: make([]float32, f.Factors)} }
	return m
}

// Decode implements trainer.Algorithm.
func (BPR) Decode(data []byte) (trainer.Component, error) {
	var f modelFile
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding bpr: %w", err)
	}
	if f.Factors < 1 || len(f.Q) != len(f.Bias)*f.Factors {
		return nil, fmt.Errorf("decoding bpr: %d factors for %d items and %d factors", len(f.Q), len(f.Bias), f.Factors)
	}
	return fromFile(f), nil
}

// MarshalBinary implements trainer.Component.
func (m *Model) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(m.f); err != nil {
		return nil, fmt.Errorf("encoding bpr: %w", err)
	}
	return buf.Bytes(), nil
}

// Items is the number of items the model scores.
func (m *Model) Items() int { return len(m.f.Bias) }

// Score implements trainer.Component: p·q_i + b_i for every item, p folded
// in from h. A history with no known item scores every item 0.
func (m *Model) Score(h []trainer.Event, scores []float32) {
	sc := m.fold.Get().(*foldScratch)
	if p := m.foldIn(h, sc); p != nil {
		mf.DotsAll(m.f.Q, m.f.Factors, p, scores[:m.Items()])
		vec.AddScaled(scores[:m.Items()], 1, m.f.Bias) // 1·b is b: scores[i] += b
	} else {
		clear(scores)
	}
	m.fold.Put(sc)
}

// FoldIn returns a user vector for history h, or nil when h has no known
// item. FoldSGD runs FoldEpochs passes of BPR updates over the history's
// items on the user vector only (from zero, items fixed), negatives drawn
// uniformly from a generator seeded by the history, so equal histories get
// equal vectors. FoldMean averages the items' factors.
func (m *Model) FoldIn(h []trainer.Event) []float32 {
	sc := m.fold.Get().(*foldScratch)
	p := slices.Clone(m.foldIn(h, sc))
	m.fold.Put(sc)
	return p
}

// foldIn is FoldIn in sc's buffers; the result is sc.p, or nil.
func (m *Model) foldIn(h []trainer.Event, sc *foldScratch) []float32 {
	idx, w := m.f.Strength.AppendHistory(sc.idx, sc.w, h)
	sc.idx, sc.w = idx, w
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
	p := sc.p[:k]
	clear(p)
	if m.f.FoldIn == FoldMean {
		mf.Scale(1/total, w)
		mf.Combine(m.f.Q, k, idx, w, p)
		return p
	}
	mf.Scale(1/top, w)
	m.foldSGD(p, idx, w, sc.diff[:k])
	return p
}

// foldSGD runs the passes; an item's step is scaled by its strength w
// (the strongest is 1), so recent and purchased items weigh more.
func (m *Model) foldSGD(p []float32, idx []int32, w, diff []float32) {
	k := m.f.Factors
	h := uint64(14695981039346656037)
	for _, i := range idx {
		h = (h ^ uint64(i)) * 1099511628211
	}
	rng := rand.New(rand.NewPCG(h, uint64(len(idx))))
	lr, reg := float32(m.f.LR), float32(m.f.Reg)
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
}
