package mf

import (
	"fmt"
	"math"
)

// Weighting re-weights interaction strengths before they become confidences.
type Weighting string

// The weightings: none keeps the summed event weights; tfidf multiplies them by
// sqrt(w)·idf(item); bm25 applies Okapi BM25 (saturating in w, normalised by
// the user's total) times idf(item). Both damp very popular items, which
// raises catalog coverage. The empty Weighting is none here; models may give
// it another default.
const (
	NoWeighting Weighting = "none"
	TFIDF       Weighting = "tfidf"
	BM25        Weighting = "bm25"
)

// Validate rejects unknown weightings.
func (w Weighting) Validate() error {
	switch w {
	case "", NoWeighting, TFIDF, BM25:
		return nil
	}
	return fmt.Errorf("unknown weighting %q (want none, tfidf or bm25)", w)
}

// Weights are the corpus statistics of a weighting, fitted on the training
// matrix and kept in the model so that fold-in weights a new history the way
// training weighted the training rows.
type Weights struct {
	Kind   Weighting
	K1, B  float64   // BM25 saturation and length normalisation
	IDF    []float32 // per item
	AvgLen float64   // mean row total (BM25)
}

// FitWeights computes the statistics of kind on m (users × items).
func FitWeights(m *Matrix, kind Weighting, k1, b float64) Weights {
	w := Weights{Kind: kind, K1: k1, B: b}
	if kind != TFIDF && kind != BM25 {
		return w
	}
	n := float64(m.Rows)
	w.IDF = make([]float32, m.Cols)
	for i, c := range m.ColumnCounts() {
		w.IDF[i] = float32(math.Log(n) - math.Log1p(float64(c)))
	}
	var total float64
	for _, v := range m.Val {
		total += float64(v)
	}
	if m.Rows > 0 {
		w.AvgLen = total / n
	}
	return w
}

// Apply re-weights one row (the values of items idx) in place.
func (w Weights) Apply(idx []int32, val []float32) {
	switch w.Kind {
	case TFIDF:
		for k, i := range idx {
			val[k] = float32(math.Sqrt(float64(val[k]))) * w.IDF[i]
		}
	case BM25:
		var length float64
		for _, v := range val {
			length += float64(v)
		}
		norm := 1 - w.B
		if w.AvgLen > 0 {
			norm += w.B * length / w.AvgLen
		}
		for k, i := range idx {
			v := float64(val[k])
			val[k] = float32(v * (w.K1 + 1) / (w.K1*norm + v) * float64(w.IDF[i]))
		}
	}
}

// ApplyAll re-weights every row of m in place.
func (w Weights) ApplyAll(m *Matrix) {
	if w.Kind != TFIDF && w.Kind != BM25 {
		return
	}
	for r := 0; r < m.Rows; r++ {
		w.Apply(m.Row(r))
	}
}
