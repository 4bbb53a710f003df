package seq

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// TestGRUGradientsMatchFiniteDifferences checks the hand-written backward
// pass: the gradient of one step's loss with respect to every weight against
// central differences, with two workers and a target repeated across lanes
// (masked as a negative).
func TestGRUGradientsMatchFiniteDifferences(t *testing.T) {
	const d, items = 4, 6
	rng := rand.New(rand.NewPCG(3, 4))
	p := newGRUParams(items, d, 1)
	for _, s := range [][]float32{p.Dense, p.Emb, p.Bias} {
		for k := range s {
			s[k] = float32(rng.NormFloat64() * 0.5)
		}
	}
	seqs := [][]trainer.Event{{{Item: 0, Type: schemas.View}, {Item: 1, Type: schemas.View}}}
	g := GRU{Batch: 3, Negatives: 2}.withDefaults()
	tr := newGRUTrainer(p, seqs, g, 2, 1)
	tr.steps = []stepRow{{item: 0, typ: 0, gap: 1, target: 2}, {item: 3, typ: 3, gap: 5, target: 4}, {item: 1, typ: 1, gap: 0, target: 2}}
	tr.cands = []int32{2, 4, 2, 5, 0}
	h0 := make([]float32, 3*d)
	for k := range h0 {
		h0[k] = float32(rng.Float64()*1.6 - 0.8)
	}
	loss := func() float64 {
		copy(tr.hs, h0)
		tr.gatherOut()
		tr.runWorkers()
		var l float64
		for _, w := range tr.workers {
			if w.lo < w.hi {
				l += w.loss
			}
		}
		return l
	}
	loss()
	tr.gather()
	analytic := map[string][]float32{"dense": clone(tr.gDense), "emb": clone(tr.gEmb), "bias": clone(tr.gBias)}
	for name, params := range map[string][]float32{"dense": p.Dense, "emb": p.Emb, "bias": p.Bias} {
		for k := range params {
			const eps = 1e-3
			keep := params[k]
			params[k] = keep + eps
			up := loss()
			params[k] = keep - eps
			down := loss()
			params[k] = keep
			num, ana := (up-down)/(2*eps), float64(analytic[name][k])
			if math.Abs(num-ana) > 3e-3+3e-2*math.Abs(ana) {
				t.Errorf("%s[%d]: analytic gradient %.5f, finite difference %.5f", name, k, ana, num)
			}
		}
	}
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }
