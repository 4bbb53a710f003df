package als

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"sync"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/mf"
)

// Model is a fitted implicit ALS model: item factors plus what fold-in needs
// to treat a history as training treated a user's row. Immutable; safe for
// concurrent use.
type Model struct {
	f    modelFile
	g    *mf.Sym   // Yᵀ·diag(Neg)·Y + reg·I
	fold sync.Pool // of *foldScratch
}

// modelFile is the encoded form; the Gram matrix is recomputed on decode.
type modelFile struct {
	Factors   int
	Reg       float64
	Alpha     float64
	Strength  mf.Strength
	Weighting mf.Weights
	Neg       []float32 // missing-entry weight per item; nil: all 1
	Y         []float32 // items × Factors
	// Epsilon > 0 makes confidences logarithmic (ALS.Epsilon); RecentBoost
	// > 0 weighs the newest items of a folded-in history up. Zero in files
	// written before they existed: linear, no boost, as those were fitted.
	Epsilon                  float64
	RecentBoost, RecentDecay float64
}

func newModel(a ALS, cf confidence, w mf.Weights, st mf.Strength, neg, y []float32, threads int) (*Model, error) {
	f := modelFile{
		Factors: a.Factors, Reg: a.Reg, Alpha: cf.alpha, Epsilon: cf.epsilon, Strength: st, Weighting: w, Neg: neg, Y: y,
		RecentBoost: max(a.RecentBoost, 0), RecentDecay: a.RecentDecay,
	}
	return fromFile(f, threads)
}

func fromFile(f modelFile, threads int) (*Model, error) {
	if f.Factors < 1 || len(f.Y)%f.Factors != 0 {
		return nil, fmt.Errorf("als: %d item factors do not fit %d factors", len(f.Y), f.Factors)
	}
	if f.Neg != nil && len(f.Neg)*f.Factors != len(f.Y) {
		return nil, fmt.Errorf("als: %d missing-entry weights for %d items", len(f.Neg), len(f.Y)/f.Factors)
	}
	g, err := weightedGram(context.Background(), f.Y, f.Factors, f.Neg, threads)
	if err != nil {
		return nil, err
	}
	for p := 0; p < f.Factors; p++ {
		g.Data[p*f.Factors+p] += float32(f.Reg)
	}
	m := &Model{f: f, g: g}
	m.fold.New = func() any { return newFoldScratch(f.Factors) }
	return m, nil
}

// Decode implements trainer.Algorithm.
func (ALS) Decode(data []byte) (trainer.Component, error) {
	var f modelFile
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding als: %w", err)
	}
	return fromFile(f, 1)
}

// MarshalBinary implements trainer.Component.
func (m *Model) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(m.f); err != nil {
		return nil, fmt.Errorf("encoding als: %w", err)
	}
	return buf.Bytes(), nil
}

func (m *Model) neg(i int32) float32 {
	if m.f.Neg == nil {
		return 1
	}
	return m.f.Neg[i]
}

// Items is the number of items the model scores.
func (m *Model) Items() int { return len(m.f.Y) / m.f.Factors }

// ItemFactors returns item i's factor vector; do not modify it.
func (m *Model) ItemFactors(i int32) []float32 { return mf.Vec(m.f.Y, int(i), m.f.Factors) }
