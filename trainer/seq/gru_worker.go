package seq

import (
	"math"
)

// gruWorker computes the forward and backward pass of rows [lo, hi) of one
// training step into its own buffers; gruTrainer.apply sums them.
type gruWorker struct {
	lo, hi int
	loss   float64

	x, h, ax, ah, ac, z, r, rh, c, hNew []float32 // forward, rows × (d or 3d)
	sc, scT, hT                         []float32 // scores and transposes
	dh, daz, dar, dac, drh, dx          []float32 // backward, rows × d
	gDense, gOut, gOutB                 []float32 // gradients
}

func newGRUWorker(d, rows, cands int) *gruWorker {
	n := rows * d
	buf := func(k int) []float32 { return make([]float32, k) }
	return &gruWorker{
		x: buf(n), h: buf(n), ax: buf(3 * n), ah: buf(2 * n), ac: buf(n), z: buf(n), r: buf(n), rh: buf(n), c: buf(n), hNew: buf(n),
		sc: buf(rows * cands), scT: buf(rows * cands), hT: buf(n),
		dh: buf(n), daz: buf(n), dar: buf(n), dac: buf(n), drh: buf(n), dx: buf(n),
		gDense: buf(denseSize(d)), gOut: buf(cands * d), gOutB: buf(cands),
	}
}

func (w *gruWorker) run(t *gruTrainer, lo, hi int) {
	w.lo, w.hi, w.loss = lo, hi, 0
	n, d, c := hi-lo, t.p.Dim, len(t.cands)
	if n == 0 {
		return
	}
	clear(w.gDense)
	clear(w.gOut[:c*d])
	clear(w.gOutB[:c])
	for r := range n {
		s := t.steps[lo+r]
		x := row(w.x, r, d)
		copy(x, row(t.p.Emb, s.item, d))
		axpy(1, row(t.v.typ, s.typ, d), x)
		axpy(1, row(t.v.gap, s.gap, d), x)
	}
	copy(w.h[:n*d], t.hs[lo*d:hi*d])
	w.forward(t.v, n, d)
	w.output(t, n, d, c)
	w.backward(t.v, n, d)
}

// forward runs the GRU cell on every row (GRU4Rec's equations).
func (w *gruWorker) forward(v gruViews, n, d int) {
	mulABt(w.x, v.w, w.ax, n, 3*d, d)
	mulABt(w.h, v.u[:2*d*d], w.ah, n, 2*d, d)
	for r := range n {
		ax, ah := row(w.ax, r, 3*d), row(w.ah, r, 2*d)
		z, rr, h, rh := row(w.z, r, d), row(w.r, r, d), row(w.h, r, d), row(w.rh, r, d)
		for k := range d {
			z[k] = sigmoid(ax[k] + ah[k] + v.b[k])
			rr[k] = sigmoid(ax[d+k] + ah[d+k] + v.b[d+k])
			rh[k] = rr[k] * h[k]
		}
	}
	mulABt(w.rh, v.u[2*d*d:], w.ac, n, d, d)
	for r := range n {
		ax, ac := row(w.ax, r, 3*d), row(w.ac, r, d)
		z, h, c, hn := row(w.z, r, d), row(w.h, r, d), row(w.c, r, d), row(w.hNew, r, d)
		for k := range d {
			c[k] = tanh(ax[2*d+k] + ac[k] + v.b[2*d+k])
			hn[k] = (1-z[k])*h[k] + z[k]*c[k]
		}
	}
}

// output scores every row against the step's candidates, adds the softmax
// cross-entropy loss of the row's own target (candidate lo+r; copies of the
// target among the negatives are masked), and back-propagates to dh and to
// the candidates' embeddings and biases.
func (w *gruWorker) output(t *gruTrainer, n, d, c int) {
	sc := w.sc[:n*c]
	mulABt(w.hNew, t.out, sc, n, c, d)
	for r := range n {
		s, pos := row(sc, r, c), w.lo+r
		target := t.cands[pos]
		top := float32(math.Inf(-1))
		for j := range s {
			s[j] += t.outB[j]
			if j != pos && t.cands[j] == target {
				s[j] = float32(math.Inf(-1))
			}
			top = max(top, s[j])
		}
		logit := float64(s[pos] - top)
		var sum float64
		for j, v := range s {
			e := math.Exp(float64(v - top))
			s[j] = float32(e)
			sum += e
		}
		w.loss += math.Log(sum) - logit
		inv := float32(1 / sum)
		for j := range s {
			s[j] *= inv
			w.gOutB[j] += s[j]
		}
		s[pos]--
		w.gOutB[pos]--
	}
	// Both products as dot products over transposes: long unit-stride
	// vectors keep the SIMD kernels busy.
	mulABt(sc, t.outT, w.dh, n, d, c)
	transpose(sc, w.scT[:n*c], n, c)
	transpose(w.hNew, w.hT[:n*d], n, d)
	mulABt(w.scT, w.hT, w.gOut, c, d, n)
}

// backward back-propagates dh through the cell to the dense gradients and to
// dx, the gradient of each row's input vector.
func (w *gruWorker) backward(v gruViews, n, d int) {
	dd := d * d
	for r := range n {
		g, z, c, h := row(w.dh, r, d), row(w.z, r, d), row(w.c, r, d), row(w.h, r, d)
		daz, dac := row(w.daz, r, d), row(w.dac, r, d)
		for k := range d {
			daz[k] = g[k] * (c[k] - h[k]) * z[k] * (1 - z[k])
			dac[k] = g[k] * z[k] * (1 - c[k]*c[k])
		}
	}
	mulAB(w.dac, v.u[2*dd:], w.drh, n, d, d)
	for r := range n {
		drh, rr, h, dar := row(w.drh, r, d), row(w.r, r, d), row(w.h, r, d), row(w.dar, r, d)
		for k := range d {
			dar[k] = drh[k] * h[k] * rr[k] * (1 - rr[k])
		}
	}
	gw, gu, gb := w.gDense[:3*dd], w.gDense[3*dd:6*dd], w.gDense[6*dd:6*dd+3*d]
	for gate, da := range [][]float32{w.daz, w.dar, w.dac} {
		addAtB(da, w.x, gw[gate*dd:(gate+1)*dd], n, d, d)
		in := w.h
		if gate == 2 {
			in = w.rh
		}
		addAtB(da, in, gu[gate*dd:(gate+1)*dd], n, d, d)
		for r := range n {
			axpy(1, row(da, r, d), gb[gate*d:(gate+1)*d])
		}
	}
	mulAB(w.daz, v.w[:dd], w.dx, n, d, d)
	addAB(w.dar, v.w[dd:2*dd], w.dx, n, d, d)
	addAB(w.dac, v.w[2*dd:], w.dx, n, d, d)
}
