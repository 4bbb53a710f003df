package bpr

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/recsys/recsys/trainer/mf"
)

// pair is one positive (user, item).
type pair struct{ u, i int32 }

// sgd holds the state of one Fit.
type sgd struct {
	b       BPR
	ui      *mf.Matrix
	blocks  int
	strata  [][]pair  // strata[a*blocks+c]: users of block a, items of block c
	itemsOf [][]int32 // the items of each item block
	alias   []*alias  // popularity sampling, per item block
	p, q    []float32 // users × k, items × k
	bias    []float32 // per item
	seed    uint64
}

func newSGD(b BPR, ui *mf.Matrix, threads int, seed uint64) *sgd {
	t := &sgd{b: b, ui: ui, blocks: threads, seed: seed}
	t.p = mf.Random(ui.Rows, b.Factors, 0.1, seed)
	t.q = mf.Random(ui.Cols, b.Factors, 0.1, seed+1)
	t.bias = make([]float32, ui.Cols)
	t.strata = make([][]pair, threads*threads)
	for u := 0; u < ui.Rows; u++ {
		idx, _ := ui.Row(u)
		for _, i := range idx {
			s := (u%threads)*threads + int(i)%threads
			t.strata[s] = append(t.strata[s], pair{int32(u), i})
		}
	}
	t.itemsOf = make([][]int32, threads)
	for i := 0; i < ui.Cols; i++ {
		t.itemsOf[i%threads] = append(t.itemsOf[i%threads], int32(i))
	}
	if b.Sampling == Popularity {
		users := ui.ColumnCounts()
		for _, items := range t.itemsOf {
			w := make([]float64, len(items))
			for k, i := range items {
				w[k] = math.Pow(1+float64(users[i]), b.PopPower)
			}
			t.alias = append(t.alias, newAlias(w))
		}
	}
	return t
}

// epoch runs one pass: blocks sub-epochs, in each of which every block of
// users is paired with a distinct block of items and processed by its own
// goroutine.
func (t *sgd) epoch(ctx context.Context, ep int) error {
	n := t.blocks
	for sub := 0; sub < n; sub++ {
		err := mf.For(ctx, n, n, 1, func(_, lo, hi int) {
			for a := lo; a < hi; a++ {
				c := (a + sub) % n
				rng := rand.New(rand.NewPCG(t.seed, uint64(((ep*n)+sub)*n+a)))
				t.stratum(t.strata[a*n+c], c, rng)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// stratum draws len(pairs) triples from one stratum and applies them.
func (t *sgd) stratum(pairs []pair, block int, rng *rand.Rand) {
	k := t.b.Factors
	lr, reg := float32(t.b.LR), float32(t.b.Reg)
	diff := make([]float32, k)
	for range pairs {
		pp := pairs[rng.IntN(len(pairs))]
		j, ok := t.negative(pp.u, block, rng)
		if !ok {
			continue
		}
		update(mf.Vec(t.p, int(pp.u), k), mf.Vec(t.q, int(pp.i), k), mf.Vec(t.q, int(j), k),
			&t.bias[pp.i], &t.bias[j], lr, reg, diff)
	}
}

// negative draws an item of the block that u has not interacted with,
// giving up after a few tries (a user who has nearly every item).
func (t *sgd) negative(u int32, block int, rng *rand.Rand) (int32, bool) {
	items := t.itemsOf[block]
	own, _ := t.ui.Row(int(u))
	for try := 0; try < 10; try++ {
		j := items[rng.IntN(len(items))]
		if t.alias != nil {
			j = items[t.alias[block].draw(rng)]
		}
		if _, found := slices.BinarySearch(own, j); !found {
			return j, true
		}
	}
	return 0, false
}

// update is one BPR step on (p, q_i, q_j): gradient ascent on
// ln σ(p·(q_i−q_j) + b_i − b_j) − reg·(|p|² + |q_i|² + |q_j|² + b_i² + b_j²).
// diff is k floats of scratch.
func update(p, qi, qj []float32, bi, bj *float32, lr, reg float32, diff []float32) {
	copy(diff, qi)
	mf.Axpy(-1, qj, diff)
	x := mf.Dot(p, diff) + *bi - *bj
	z := float32(1 / (1 + math.Exp(float64(x)))) // σ(−x)
	*bi += lr * (z - reg**bi)
	*bj += lr * (-z - reg**bj)
	// q_i += lr(z·p − reg·q_i), q_j += lr(−z·p − reg·q_j), p += lr(z·diff − reg·p)
	mf.ScaleAdd(1-lr*reg, qi, lr*z, p)
	mf.ScaleAdd(1-lr*reg, qj, -lr*z, p)
	mf.ScaleAdd(1-lr*reg, p, lr*z, diff)
}

// alias is Vose's alias table: O(1) draws from a discrete distribution.
type alias struct {
	prob  []float64
	other []int32
}

func newAlias(w []float64) *alias {
	n := len(w)
	a := &alias{prob: make([]float64, n), other: make([]int32, n)}
	var sum float64
	for _, v := range w {
		sum += v
	}
	var small, large []int32
	for k, v := range w {
		a.prob[k] = v * float64(n) / sum
		if a.prob[k] < 1 {
			small = append(small, int32(k))
		} else {
			large = append(large, int32(k))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.other[s] = l
		a.prob[l] -= 1 - a.prob[s]
		if a.prob[l] < 1 {
			large, small = large[:len(large)-1], append(small, l)
		}
	}
	for _, k := range append(small, large...) {
		a.prob[k] = 1 // leftovers are 1 up to rounding
	}
	return a
}

func (a *alias) draw(rng *rand.Rand) int32 {
	k := rng.IntN(len(a.prob))
	if rng.Float64() < a.prob[k] {
		return int32(k)
	}
	return a.other[k]
}
