package seq

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// Input features besides the item: the event type and the pause since the
// previous event, each a learned vector added to the item's embedding.
const (
	numTypes = 5 // view, add_to_cart, remove_from_cart, purchase, other
	numGaps  = 6 // first, same instant, <1m, <30m, <1d, longer
)

func typeIndex(t schemas.EventType) int {
	switch t {
	case schemas.View:
		return 0
	case schemas.AddToCart:
		return 1
	case schemas.RemoveFromCart:
		return 2
	case schemas.Purchase:
		return 3
	}
	return 4
}

// gapIndex buckets the pause before event k of s.
func gapIndex(s []trainer.Event, k int) int {
	if k == 0 {
		return 0
	}
	switch dt := s[k].Time - s[k-1].Time; {
	case dt == 0:
		return 1
	case dt > 0 && dt < 60_000:
		return 2
	case dt > 0 && dt < 30*60_000:
		return 3
	case dt > 0 && dt < 24*3600_000:
		return 4
	}
	return 5
}

// gruParams are the learned weights. Dense holds, in order, the input
// weights W (3d×d: update, reset and candidate gates), the recurrent weights
// U (3d×d), the gate biases (3d), the type vectors (numTypes×d) and the gap
// vectors (numGaps×d); the item embeddings serve as both input and output
// (GRU4Rec's constrained embedding), plus one output bias per item.
type gruParams struct {
	Dim   int
	Dense []float32
	Emb   []float32
	Bias  []float32
}

type gruViews struct {
	w, u, b, typ, gap []float32
}

func denseSize(d int) int { return 3*d*d*2 + 3*d + (numTypes+numGaps)*d }

func (p *gruParams) views() gruViews {
	d := p.Dim
	off := 0
	take := func(n int) []float32 {
		s := p.Dense[off : off+n : off+n]
		off += n
		return s
	}
	return gruViews{w: take(3 * d * d), u: take(3 * d * d), b: take(3 * d), typ: take(numTypes * d), gap: take(numGaps * d)}
}

// newGRUParams initializes weights uniformly in ±sqrt(6/(fan in + fan out)).
func newGRUParams(items, d int, seed uint64) *gruParams {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	uniform := func(s []float32, scale float64) {
		for k := range s {
			s[k] = float32((2*rng.Float64() - 1) * scale)
		}
	}
	p := &gruParams{Dim: d, Dense: make([]float32, denseSize(d)), Emb: make([]float32, items*d), Bias: make([]float32, items)}
	v := p.views()
	uniform(v.w, math.Sqrt(6/float64(2*d)))
	uniform(v.u, math.Sqrt(6/float64(2*d)))
	uniform(v.typ, 0.01)
	uniform(v.gap, 0.01)
	uniform(p.Emb, math.Sqrt(6/float64(items+d)))
	return p
}

func (p *gruParams) clone() *gruParams {
	return &gruParams{Dim: p.Dim, Dense: append([]float32(nil), p.Dense...), Emb: append([]float32(nil), p.Emb...), Bias: append([]float32(nil), p.Bias...)}
}

// gruModel is a fitted GRU: immutable, safe for concurrent use.
type gruModel struct {
	Params *gruParams
	Window int // history events fed when scoring
	v      gruViews
	// wT and uT are W and U transposed (d × 3d), so that one step is d
	// long axpys rather than 3d short dot products.
	wT, uT []float32
	bufs   sync.Pool
}

func newGRUModel(p *gruParams, window int) *gruModel {
	m := &gruModel{Params: p, Window: window, v: p.views()}
	d := p.Dim
	m.wT, m.uT = make([]float32, 3*d*d), make([]float32, 3*d*d)
	transpose(m.v.w, m.wT, 3*d, d)
	transpose(m.v.u, m.uT, 3*d, d)
	m.bufs.New = func() any { b := make([]float32, 9*d); return &b }
	return m
}

// Score implements trainer.Component: it runs the GRU over the last Window
// events of h and scores every item by the softmax of its embedding · the
// final state + its bias, scaled so that the best item scores 1: positive,
// comparable across users, ready for Snapshot.Blend's max-normalization.
func (m *gruModel) Score(h []trainer.Event, scores []float32) {
	bp := m.bufs.Get().(*[]float32)
	defer m.bufs.Put(bp)
	state := m.state(h, *bp)
	emb, bias, d := m.Params.Emb, m.Params.Bias, m.Params.Dim
	n := min(len(scores), len(bias))
	top := float32(math.Inf(-1))
	for j := range n {
		scores[j] = dot(row(emb, j, d), state) + bias[j]
		top = max(top, scores[j])
	}
	for j := range n {
		scores[j] = fastExp(scores[j] - top)
	}
	clear(scores[n:])
}

// state returns the hidden state after the last Window events of h, in buf
// (9·Dim floats of scratch).
func (m *gruModel) state(h []trainer.Event, buf []float32) []float32 {
	d := m.Params.Dim
	hs, x, ax, ah, rh := buf[:d], buf[d:2*d], buf[2*d:5*d], buf[5*d:8*d], buf[8*d:9*d]
	clear(hs)
	items := len(m.Params.Bias)
	start := max(0, len(h)-m.Window)
	for k := start; k < len(h); k++ {
		if int(h[k].Item) >= items {
			continue
		}
		gap := gapIndex(h, k)
		if k == start {
			gap = 0
		}
		m.input(h[k], gap, x)
		m.cell(x, hs, ax, ah, rh)
	}
	return hs
}

func (m *gruModel) input(e trainer.Event, gap int, x []float32) {
	d := m.Params.Dim
	copy(x, row(m.Params.Emb, int(e.Item), d))
	axpy(1, row(m.v.typ, typeIndex(e.Type), d), x)
	axpy(1, row(m.v.gap, gap, d), x)
}

// cell advances hs by one GRU step on input x; ax, ah (3d) and rh (d) are
// scratch. It computes what gruWorker.forward does for one row.
func (m *gruModel) cell(x, hs, ax, ah, rh []float32) {
	d := m.Params.Dim
	clear(ax)
	clear(ah)
	for k := range d {
		axpy(x[k], row(m.wT, k, 3*d), ax)
		if hs[k] != 0 {
			axpy(hs[k], row(m.uT, k, 3*d)[:2*d], ah[:2*d])
		}
	}
	b := m.v.b
	for k := range d {
		z := sigmoid(ax[k] + ah[k] + b[k])
		r := sigmoid(ax[d+k] + ah[d+k] + b[d+k])
		ah[k] = z
		rh[k] = r * hs[k]
	}
	for k := range d {
		if rh[k] != 0 {
			axpy(rh[k], row(m.uT, k, 3*d)[2*d:], ah[2*d:])
		}
	}
	for k := range d {
		c := tanh(ax[2*d+k] + ah[2*d+k] + b[2*d+k])
		z := ah[k]
		hs[k] = (1-z)*hs[k] + z*c
	}
}

// sigmoid and tanh go through fastExp: they are most of a scoring step's
// transcendental work, and training uses the same functions.
func sigmoid(x float32) float32 {
	if x >= 0 {
		return 1 / (1 + fastExp(-x))
	}
	e := fastExp(x)
	return e / (1 + e)
}

func tanh(x float32) float32 { return 2*sigmoid(2*x) - 1 }

// gruFile is what a snapshot stores of a gruModel.
type gruFile struct {
	Params *gruParams
	Window int
}

// MarshalBinary implements trainer.Component.
func (m *gruModel) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(gruFile{m.Params, m.Window}); err != nil {
		return nil, fmt.Errorf("encoding gru: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeGRU(data []byte) (*gruModel, error) {
	var f gruFile
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding gru: %w", err)
	}
	p := f.Params
	if p == nil || p.Dim <= 0 || len(p.Dense) != denseSize(p.Dim) || len(p.Emb) != len(p.Bias)*p.Dim {
		return nil, fmt.Errorf("decoding gru: inconsistent weights")
	}
	return newGRUModel(p, f.Window), nil
}
