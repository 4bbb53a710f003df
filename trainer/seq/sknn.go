package seq

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/recsys/recsys/trainer"
)

// SessionKNN is session-based k-nearest-neighbours in the V-SKNN / STAN
// family (Ludewig & Jannach): the past sessions most similar to the user's
// current one vote for their items.
//
// A session is a run of a user's events without a pause longer than Gap, cut
// into pieces of at most MaxLen items. The current session is the tail of the
// history after its last such pause, at most Recent distinct items; the k-th
// most recent weighs exp(-k/Decay) (STAN λ1). A past session's similarity is
// the sum of the weights of the current items it contains, divided by its
// length^Norm. The Neighbors most similar sessions, found through an index of
// the Sample most recent sessions of each item, then score their items by
// similarity × exp(-|distance to the matched item|/Reach) (STAN λ3) × the
// weight of the event type.
type SessionKNN struct {
	// Gap splits a user's history into sessions. Default: 30m.
	Gap time.Duration
	// MaxLen cuts longer sessions into pieces. Default: 20.
	MaxLen int
	// Recent current-session items used when scoring. Default: 10.
	Recent int
	// Decay of current items by recency, in steps. Default: 1.
	Decay float64
	// Neighbors is k, the number of sessions that vote. Default: 200.
	Neighbors int
	// Sample is how many of an item's most recent sessions are candidates.
	// Default: 1000.
	Sample int
	// Norm is the exponent of the session-length normalization. Default:
	// 0.25.
	Norm float64
	// Reach is the distance decay of a neighbour's items around the match, in
	// steps from the item after it; negative disables it. Default: 2.
	Reach float64
	// Back weighs a neighbour's items up to and including the match
	// relative to those after it. Default: 0.2.
	Back float64
}

// Name implements trainer.Algorithm.
func (SessionKNN) Name() string { return "sknn" }

func (k SessionKNN) withDefaults() SessionKNN {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if k.Gap == 0 {
		k.Gap = 30 * time.Minute
	}
	defInt(&k.MaxLen, 20)
	defInt(&k.Recent, 10)
	defInt(&k.Neighbors, 200)
	defInt(&k.Sample, 1000)
	def(&k.Decay, 1)
	def(&k.Norm, 0.25)
	def(&k.Reach, 2)
	def(&k.Back, 0.2)
	return k
}

// Fit implements trainer.Algorithm.
func (k SessionKNN) Fit(ctx context.Context, d *trainer.Dataset, cfg trainer.FitConfig) (trainer.Component, error) {
	k = k.withDefaults()
	w := newTypeWeights(cfg.Weights)
	m := &sknnModel{Params: k, Start: []int32{0}}
	var sessTime []int64
	for u, s := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for _, sess := range split(s, k.Gap.Milliseconds(), k.MaxLen, w) {
			for _, e := range sess {
				m.Items = append(m.Items, e.Item)
				m.Strength = append(m.Strength, w.of(e.Type))
			}
			m.Start = append(m.Start, int32(len(m.Items)))
			sessTime = append(sessTime, sess[len(sess)-1].Time)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.index(len(d.Items), sessTime)
	m.init()
	return m, nil
}

// split cuts s at pauses longer than gap and every maxLen distinct steps,
// dropping consecutive repeats (the strongest type of a run wins).
func split(s []trainer.Event, gap int64, maxLen int, w typeWeights) [][]trainer.Event {
	var out [][]trainer.Event
	var cur []trainer.Event
	for k, e := range s {
		if k > 0 && (e.Time-s[k-1].Time > gap || len(cur) >= maxLen && cur[len(cur)-1].Item != e.Item) {
			out = append(out, cur)
			cur = nil
		}
		if n := len(cur); n > 0 && cur[n-1].Item == e.Item {
			if w.of(e.Type) > w.of(cur[n-1].Type) {
				cur[n-1].Type = e.Type
			}
			continue
		}
		cur = append(cur, e)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// index builds the postings: for every item, its (session, position) pairs in
// the Sample most recent sessions that contain it, most recent first.
func (m *sknnModel) index(items int, sessTime []int64) {
	type post struct {
		sess, pos int32
	}
	lists := make([][]post, items)
	for s := range len(m.Start) - 1 {
		for p := m.Start[s]; p < m.Start[s+1]; p++ {
			it := m.Items[p]
			l := lists[it]
			if n := len(l); n > 0 && l[n-1].sess == int32(s) {
				l[n-1].pos = p - m.Start[s] // the last occurrence in a session
				continue
			}
			lists[it] = append(l, post{int32(s), p - m.Start[s]})
		}
	}
	m.PostStart = make([]int32, items+1)
	for it, l := range lists {
		slices.SortStableFunc(l, func(a, b post) int { return cmp.Compare(sessTime[b.sess], sessTime[a.sess]) })
		if len(l) > m.Params.Sample {
			l = l[:m.Params.Sample]
		}
		for _, p := range l {
			m.PostSess = append(m.PostSess, p.sess)
			m.PostPos = append(m.PostPos, p.pos)
		}
		m.PostStart[it+1] = int32(len(m.PostSess))
	}
}

// Decode implements trainer.Algorithm.
func (SessionKNN) Decode(data []byte) (trainer.Component, error) {
	var m sknnModel
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode((*sknnState)(&m)); err != nil {
		return nil, fmt.Errorf("decoding sknn: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("decoding sknn: %w", err)
	}
	m.init()
	return &m, nil
}

// check rejects a decoded index that scoring could index out of range.
func (m *sknnModel) check() error {
	p, items := m.Params, len(m.PostStart)-1
	switch {
	case p.Recent <= 0 || p.MaxLen <= 0 || p.Neighbors <= 0 || p.Decay <= 0:
		return errors.New("parameters out of range")
	case len(m.Start) == 0 || m.Start[0] != 0 || int(m.Start[len(m.Start)-1]) != len(m.Items) || len(m.Strength) != len(m.Items):
		return errors.New("inconsistent sessions")
	case items < 0 || m.PostStart[0] != 0 || int(m.PostStart[items]) != len(m.PostSess) || len(m.PostPos) != len(m.PostSess):
		return errors.New("inconsistent postings")
	}
	for s := range len(m.Start) - 1 {
		if m.Start[s+1] < m.Start[s] || int(m.Start[s+1]-m.Start[s]) > p.MaxLen {
			return errors.New("inconsistent sessions")
		}
	}
	for i := range items {
		if m.PostStart[i+1] < m.PostStart[i] {
			return errors.New("inconsistent postings")
		}
	}
	for k, s := range m.PostSess {
		if s < 0 || int(s) >= len(m.Start)-1 || m.PostPos[k] < 0 || m.PostPos[k] >= m.Start[s+1]-m.Start[s] {
			return errors.New("posting out of range")
		}
	}
	for _, it := range m.Items {
		if it < 0 || int(it) >= items {
			return errors.New("item out of range")
		}
	}
	return nil
}

// sknnModel stores sessions and postings flat (CSR), so a snapshot is a few
// slices and scoring allocates nothing but pooled scratch space.
type sknnModel struct {
	Params   SessionKNN
	Items    []int32   // session items, session after session
	Strength []float32 // type weight of each session item
	Start    []int32   // session s is Items[Start[s]:Start[s+1]]
	// Postings of item i: PostSess/PostPos[PostStart[i]:PostStart[i+1]].
	PostStart []int32
	PostSess  []int32
	PostPos   []int32

	norm    []float32 // per session: length^-Norm
	recency []float32 // weight of the current item of each age
	reach   []float32 // weight of a neighbour's item at each distance
	scratch sync.Pool
}

// init derives what scoring needs beyond the stored fields: per-session
// length norms and the decay tables.
func (m *sknnModel) init() {
	n := len(m.Start) - 1
	m.norm = make([]float32, n)
	for s := range n {
		m.norm[s] = float32(math.Pow(float64(m.Start[s+1]-m.Start[s]), -m.Params.Norm))
	}
	m.recency = make([]float32, m.Params.Recent)
	for age := range m.recency {
		m.recency[age] = float32(math.Exp(-float64(age) / m.Params.Decay))
	}
	m.reach = make([]float32, m.Params.MaxLen+1)
	for d := range m.reach {
		m.reach[d] = 1
		if m.Params.Reach > 0 {
			m.reach[d] = float32(math.Exp(-float64(d) / m.Params.Reach))
		}
	}
	m.scratch.New = func() any {
		sc := &sknnScratch{session: make([]candidate, n)}
		for s, v := range m.norm {
			sc.session[s].norm = v
		}
		return sc
	}
}

// sknnState is sknnModel without methods: gob would otherwise call
// MarshalBinary from inside MarshalBinary.
type sknnState sknnModel

func (m *sknnModel) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode((*sknnState)(m)); err != nil {
		return nil, fmt.Errorf("encoding sknn: %w", err)
	}
	return buf.Bytes(), nil
}
