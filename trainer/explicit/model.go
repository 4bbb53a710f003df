package explicit

import (
	"context"
	"math"

	"github.com/recsys/recsys/trainer/mf"
)

// Model predicts mean + user bias + item bias + p_u·q_i, squashed into
// [Low, High] by a sigmoid (Sigmoid) or clamped. Users and items absent from
// training have zero biases and factors, so they get the mean (or the item's
// bias): the cold-start answer. Immutable; safe for concurrent use.
type Model struct {
	Mean               float32
	UserBias, ItemBias []float32
	P, Q               []float32 // users × K, items × K
	K                  int
	Low, High          float32
	Sigmoid            bool
}

func newModel(r *Ratings, k int) *Model {
	return &Model{
		UserBias: make([]float32, len(r.Users)), ItemBias: make([]float32, len(r.Items)),
		P: make([]float32, len(r.Users)*k), Q: make([]float32, len(r.Items)*k), K: k,
	}
}

// raw is the unsquashed prediction.
func (m *Model) raw(u, i int32) float32 {
	s := m.Mean + m.UserBias[u] + m.ItemBias[i]
	if m.K > 0 {
		s += mf.Dot(mf.Vec(m.P, int(u), m.K), mf.Vec(m.Q, int(i), m.K))
	}
	return s
}

// Predict returns the predicted rating of item i by user u.
func (m *Model) Predict(u, i int32) float32 { return m.squash(m.raw(u, i)) }

func (m *Model) squash(s float32) float32 {
	if m.Sigmoid {
		return m.Low + (m.High-m.Low)/(1+float32(math.Exp(-float64(s))))
	}
	return min(max(s, m.Low), m.High)
}

// PredictUser writes u's predicted rating of every item into scores.
func (m *Model) PredictUser(u int32, scores []float32) {
	for i := range scores {
		scores[i] = m.Predict(u, int32(i))
	}
}

// Fitter fits one kind of Model. The grid search takes several.
type Fitter interface {
	// Name describes the fitter and its hyperparameters.
	Name() string
	// Fit trains on r; it returns ctx.Err() when cancelled, never a partial
	// model.
	Fit(ctx context.Context, r *Ratings, threads int, seed uint64) (*Model, error)
}
