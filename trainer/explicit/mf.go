package explicit

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/recsys/recsys/trainer/mf"
)

// MF is biased matrix factorization as in the fastai collab recipe:
// prediction = Low + (High−Low)·σ(mean + b_u + b_i + p_u·q_i) with the range
// a little wider than the data's (fastai's y_range), trained on squared
// error with weight decay. fastai uses Adam with a one-cycle schedule; this
// uses plain SGD over a shuffled order with a learning rate decayed
// geometrically per epoch, which reaches the same error on MovieLens and is
// deterministic for a seed (one thread).
type MF struct {
	// Factors per user and item. Default: 64.
	Factors int
	// Epochs of SGD. Default: 40.
	Epochs int
	// LR is the initial learning rate. Default: 0.02.
	LR float64
	// Decay multiplies LR after each epoch. Default: 0.95.
	Decay float64
	// Reg is the weight decay of factors. Default: 0.05.
	Reg float64
	// BiasReg is the weight decay of biases. Default: 0.01.
	BiasReg float64
	// Margin widens the data's rating range on both sides (fastai uses
	// (0, 5.5) for ratings 0.5–5). Default: 0.25.
	Margin float64
}

func (f MF) withDefaults() MF {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if f.Factors == 0 {
		f.Factors = 64
	}
	if f.Epochs == 0 {
		f.Epochs = 40
	}
	def(&f.LR, 0.02)
	def(&f.Decay, 0.95)
	def(&f.Reg, 0.05)
	def(&f.BiasReg, 0.01)
	def(&f.Margin, 0.25)
	return f
}

// Name implements Fitter.
func (f MF) Name() string {
	f = f.withDefaults()
	return fmt.Sprintf("mf(k=%d,epochs=%d,lr=%g,reg=%g)", f.Factors, f.Epochs, f.LR, f.Reg)
}

// Fit implements Fitter.
func (f MF) Fit(ctx context.Context, r *Ratings, _ int, seed uint64) (*Model, error) {
	f = f.withDefaults()
	k := f.Factors
	m := newModel(r, k)
	lo, hi := r.Range()
	m.Low, m.High, m.Sigmoid = lo-float32(f.Margin), hi+float32(f.Margin), true
	p := (r.Mean() - m.Low) / (m.High - m.Low) // start at the mean rating
	m.Mean = float32(math.Log(float64(p / (1 - p))))
	m.P = mf.Random(len(r.Users), k, 0.05, seed)
	m.Q = mf.Random(len(r.Items), k, 0.05, seed+1)
	order := make([]int, len(r.R))
	for j := range order {
		order[j] = j
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	lr := float32(f.LR)
	grad := make([]float32, k)
	for ep := 0; ep < f.Epochs; ep++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, j := range order {
			f.step(m, r.R[j], lr, grad)
		}
		lr *= float32(f.Decay)
	}
	return m, nil
}

// step is one SGD update on rating x; grad is k floats of scratch.
func (f MF) step(m *Model, x Rating, lr float32, grad []float32) {
	k := m.K
	pu, qi := mf.Vec(m.P, int(x.User), k), mf.Vec(m.Q, int(x.Item), k)
	s := 1 / (1 + float32(math.Exp(-float64(m.raw(x.User, x.Item)))))
	pred := m.Low + (m.High-m.Low)*s
	e := (pred - x.Value) * (m.High - m.Low) * s * (1 - s) // d(½err²)/d(raw)
	m.UserBias[x.User] -= lr * (e + float32(f.BiasReg)*m.UserBias[x.User])
	m.ItemBias[x.Item] -= lr * (e + float32(f.BiasReg)*m.ItemBias[x.Item])
	copy(grad, pu)
	mf.Scale(1-lr*float32(f.Reg), pu)
	mf.Axpy(-lr*e, qi, pu)
	mf.Scale(1-lr*float32(f.Reg), qi)
	mf.Axpy(-lr*e, grad, qi)
}
