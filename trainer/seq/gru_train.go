package seq

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"github.com/recsys/recsys/trainer"
)

// gruTrainer runs GRU4Rec's session-parallel minibatches: Batch lanes each
// walk one sequence, a step feeds every lane its current event and trains it
// to predict the next one against the other lanes' targets plus sampled
// negatives (softmax cross-entropy), without back-propagation through time.
// The rows of a step are split over workers, whose gradients are summed in
// worker order, so a run depends only on the seed and the thread count.
type gruTrainer struct {
	p       *gruParams
	v       gruViews
	lr      float32
	seqs    [][]trainer.Event
	rng     *rand.Rand
	cum     []float64 // cumulative negative-sampling weights
	negs    int
	batch   int
	workers []*gruWorker

	// per-step state
	lanes []lane
	hs    []float32 // lane states, batch × d
	steps []stepRow
	cands []int32
	out   []float32 // candidates' embeddings, C × d
	outT  []float32 // and transposed, d × C
	outB  []float32 // candidates' biases

	// Adagrad accumulators and gradients
	accDense, accEmb, accBias []float32
	gDense, gEmb, gBias       []float32
	touched                   []int32
	isTouched                 []bool
}

type lane struct{ seq, pos int }

// stepRow is one lane's input and target at one step.
type stepRow struct {
	item, typ, gap int
	target         int32
}

func newGRUTrainer(p *gruParams, seqs [][]trainer.Event, g GRU, threads int, seed uint64) *gruTrainer {
	d, items := p.Dim, len(p.Bias)
	t := &gruTrainer{
		p: p, v: p.views(), lr: float32(g.LearningRate), seqs: seqs,
		rng: rand.New(rand.NewPCG(seed, 0x6a09e667)), negs: g.Negatives, batch: g.Batch,
		hs:       make([]float32, g.Batch*d),
		accDense: make([]float32, len(p.Dense)), accEmb: make([]float32, len(p.Emb)), accBias: make([]float32, items),
		gDense: make([]float32, len(p.Dense)), gEmb: make([]float32, len(p.Emb)), gBias: make([]float32, items),
		isTouched: make([]bool, items),
	}
	count := make([]float64, items)
	for _, s := range seqs {
		for _, e := range s {
			count[e.Item]++
		}
	}
	t.cum = make([]float64, items)
	var sum float64
	for i, c := range count {
		sum += math.Pow(c, g.Alpha)
		t.cum[i] = sum
	}
	rows := (g.Batch + threads - 1) / threads
	for range threads {
		t.workers = append(t.workers, newGRUWorker(d, rows, g.Batch+g.Negatives))
	}
	return t
}

// epoch trains one pass over the sequences in a seeded random order.
func (t *gruTrainer) epoch(ctx context.Context) (float64, error) {
	order := t.rng.Perm(len(t.seqs))
	next := 0
	t.lanes = t.lanes[:0]
	for len(t.lanes) < t.batch && next < len(order) {
		t.lanes = append(t.lanes, lane{seq: order[next]})
		next++
	}
	clear(t.hs)
	var loss float64
	var n int
	for step := 0; len(t.lanes) > 0; step++ {
		if step%64 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		loss += t.step()
		n += len(t.lanes)
		next = t.advance(order, next)
	}
	return loss / float64(max(n, 1)), nil
}

// step trains on one event of every lane and returns the summed loss.
func (t *gruTrainer) step() float64 {
	t.prepare()
	t.gatherOut()
	t.runWorkers()
	loss := t.gather()
	t.update()
	return loss
}

// prepare sets each lane's input and target and samples the negatives.
func (t *gruTrainer) prepare() {
	t.steps = t.steps[:0]
	t.cands = t.cands[:0]
	for _, l := range t.lanes {
		s := t.seqs[l.seq]
		r := stepRow{item: int(s[l.pos].Item), typ: typeIndex(s[l.pos].Type), gap: gapIndex(s, l.pos), target: s[l.pos+1].Item}
		t.steps = append(t.steps, r)
		t.cands = append(t.cands, r.target)
	}
	for range t.negs {
		t.cands = append(t.cands, int32(sort.SearchFloat64s(t.cum, t.rng.Float64()*t.cum[len(t.cum)-1])))
	}
}

// gatherOut copies the candidates' embeddings and biases.
func (t *gruTrainer) gatherOut() {
	d, c := t.p.Dim, len(t.cands)
	t.out = slices.Grow(t.out[:0], c*d)[:c*d]
	t.outT = slices.Grow(t.outT[:0], c*d)[:c*d]
	t.outB = slices.Grow(t.outB[:0], c)[:c]
	for j, it := range t.cands {
		copy(row(t.out, j, d), row(t.p.Emb, int(it), d))
		t.outB[j] = t.p.Bias[it]
	}
	transpose(t.out, t.outT, c, d)
}

// runWorkers splits the rows of the step over the workers and waits for
// them.
func (t *gruTrainer) runWorkers() {
	b := len(t.steps)
	per := (b + len(t.workers) - 1) / len(t.workers)
	var wg sync.WaitGroup
	for k, w := range t.workers {
		lo, hi := min(k*per, b), min((k+1)*per, b)
		wg.Add(1)
		go func() { // joined below, before any shared state is read
			defer wg.Done()
			w.run(t, lo, hi)
		}()
	}
	wg.Wait()
}

// gather sums the workers' gradients in worker order into gDense, gEmb and
// gBias, stores the new lane states and returns the loss of the step.
func (t *gruTrainer) gather() float64 {
	d := t.p.Dim
	var loss float64
	for _, w := range t.workers {
		if w.lo == w.hi {
			continue
		}
		loss += w.loss
		axpy(1, w.gDense, t.gDense)
		for j, it := range t.cands {
			t.touch(it)
			axpy(1, row(w.gOut, j, d), row(t.gEmb, int(it), d))
			t.gBias[it] += w.gOutB[j]
		}
		for r := w.lo; r < w.hi; r++ {
			s := t.steps[r]
			dx := row(w.dx, r-w.lo, d)
			t.touch(int32(s.item))
			axpy(1, dx, row(t.gEmb, s.item, d))
			axpy(1, dx, t.gDense[t.typOff()+s.typ*d:t.typOff()+(s.typ+1)*d])
			axpy(1, dx, t.gDense[t.gapOff()+s.gap*d:t.gapOff()+(s.gap+1)*d])
		}
		copy(t.hs[w.lo*d:w.hi*d], w.hNew[:(w.hi-w.lo)*d])
	}
	return loss
}

// update takes an Adagrad step on the gathered gradients and clears them.
func (t *gruTrainer) update() {
	d := t.p.Dim
	adagrad(t.p.Dense, t.gDense, t.accDense, t.lr)
	for _, it := range t.touched {
		adagrad(row(t.p.Emb, int(it), d), row(t.gEmb, int(it), d), row(t.accEmb, int(it), d), t.lr)
		adagrad(t.p.Bias[it:it+1], t.gBias[it:it+1], t.accBias[it:it+1], t.lr)
		t.isTouched[it] = false
	}
	t.touched = t.touched[:0]
}

func (t *gruTrainer) typOff() int { d := t.p.Dim; return 6*d*d + 3*d }
func (t *gruTrainer) gapOff() int { return t.typOff() + numTypes*t.p.Dim }

func (t *gruTrainer) touch(it int32) {
	if !t.isTouched[it] {
		t.isTouched[it] = true
		t.touched = append(t.touched, it)
	}
}

// adagrad applies and clears the gradient g of params p.
func adagrad(p, g, acc []float32, lr float32) {
	for k, v := range g {
		if v == 0 {
			continue
		}
		acc[k] += v * v
		p[k] -= lr * v / float32(math.Sqrt(float64(acc[k])+1e-6))
		g[k] = 0
	}
}

// advance moves every lane one event on; a lane whose sequence is done takes
// the next one with a fresh state, or leaves when none is left.
func (t *gruTrainer) advance(order []int, next int) int {
	d := t.p.Dim
	for k := 0; k < len(t.lanes); k++ {
		l := &t.lanes[k]
		l.pos++
		if l.pos+1 < len(t.seqs[l.seq]) {
			continue
		}
		clear(row(t.hs, k, d))
		if next < len(order) {
			*l = lane{seq: order[next]}
			next++
			continue
		}
		last := len(t.lanes) - 1
		t.lanes[k] = t.lanes[last]
		copy(row(t.hs, k, d), row(t.hs, last, d))
		t.lanes = t.lanes[:last]
		k--
	}
	return next
}
