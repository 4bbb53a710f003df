package seq

import (
	"slices"

	"github.com/recsys/recsys/trainer"
)

// candidate is what similar learns about a past session: its similarity
// and where its most recent shared item sits, next to a copy of its length
// norm. Kept together, they cost one cache miss per session instead of
// three.
type candidate struct {
	sim   float32
	match int32
	norm  float32 // length^-Norm, as sknnModel.norm
}

// sknnScratch is one scoring call's buffers, pooled by the model.
type sknnScratch struct {
	session []candidate // per session; sim is zero outside a call
	touched []int32
	cand    []float32 // similarities of the touched sessions
	sel     []float32 // nearest's scratch
	top     []int32   // the nearest sessions
	cur     []int32
	warm    int32 // what warm read, kept so that it reads
}

// Score implements trainer.Component.
func (m *sknnModel) Score(h []trainer.Event, scores []float32) {
	clear(scores)
	sc := m.scratch.Get().(*sknnScratch)
	for _, s := range m.neighbours(h, sc) {
		m.vote(s, sc.session[s], scores)
	}
	sc.reset()
	m.scratch.Put(sc)
}

// ScoreSparse implements trainer.SparseComponent: the touched items are the
// neighbour sessions' items.
func (m *sknnModel) ScoreSparse(h []trainer.Event, scores []float32, touched []int32) []int32 {
	sc := m.scratch.Get().(*sknnScratch)
	for _, s := range m.neighbours(h, sc) {
		m.vote(s, sc.session[s], scores)
		touched = append(touched, m.Items[m.Start[s]:m.Start[s+1]]...)
	}
	sc.reset()
	m.scratch.Put(sc)
	return touched
}

// neighbours returns the Neighbors sessions most similar to the current
// session of h, in the order they vote (a fixed one: float sums depend on
// it), with their similarities and matches in sc.
func (m *sknnModel) neighbours(h []trainer.Event, sc *sknnScratch) []int32 {
	sc.cur = m.current(h, sc.cur[:0])
	if len(sc.cur) == 0 {
		return nil
	}
	m.similar(sc)
	sc.top, sc.sel = nearest(sc.cand, m.Params.Neighbors, sc.top, sc.sel)
	for j, k := range sc.top {
		sc.top[j] = sc.touched[k]
	}
	sc.warm = m.warm(sc.top)
	return sc.top
}

// warm reads the first item and strength of every session of top, whose
// loads (cache misses, mostly: the sessions lie anywhere in memory) are
// independent of each other and so overlap, where vote, one session after
// another, would wait for each in turn. It returns what it read so that the
// loads are not optimized away.
func (m *sknnModel) warm(top []int32) int32 {
	var sum int32
	for _, s := range top {
		if p := m.Start[s]; p < m.Start[s+1] {
			sum += m.Items[p] + int32(m.Strength[p])
		}
	}
	return sum
}

// reset zeroes the similarities a call left, for the next.
func (sc *sknnScratch) reset() {
	for _, s := range sc.touched {
		sc.session[s].sim = 0
	}
	sc.touched = sc.touched[:0]
}

// current appends to out the distinct items of the current session, most
// recent first, at most Recent.
func (m *sknnModel) current(h []trainer.Event, out []int32) []int32 {
	gap := m.Params.Gap.Milliseconds()
	for k := len(h) - 1; k >= 0 && len(out) < m.Params.Recent; k-- {
		if k < len(h)-1 && h[k+1].Time-h[k].Time > gap {
			break
		}
		it := h[k].Item
		if int(it) >= len(m.PostStart)-1 || slices.Contains(out, it) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// similar accumulates each candidate session's similarity to the current
// items (most recent first), remembers where its most recent shared item
// sits, and lists the normalized similarities in sc.cand.
func (m *sknnModel) similar(sc *sknnScratch) {
	for age, it := range sc.cur {
		w := m.recency[age]
		for p := m.PostStart[it]; p < m.PostStart[it+1]; p++ {
			s := m.PostSess[p]
			c := &sc.session[s]
			if c.sim == 0 {
				sc.touched = append(sc.touched, s)
				c.match = m.PostPos[p]
			}
			c.sim += w
		}
	}
	sc.cand = sc.cand[:0]
	for _, s := range sc.touched {
		c := &sc.session[s]
		c.sim *= c.norm
		sc.cand = append(sc.cand, c.sim)
	}
}

// vote adds a neighbour session's items to scores: the item after the match
// weighs most, items further on and (times Back) items before it less.
func (m *sknnModel) vote(s int32, c candidate, scores []float32) {
	sim, match := c.sim, c.match
	start, end := m.Start[s], m.Start[s+1]
	back := float32(m.Params.Back)
	for p := start; p < end; p++ {
		w := sim * m.Strength[p]
		d := p - start - match - 1 // 0 for the item after the match
		if d < 0 {
			w *= back
			d = -d - 1
		}
		scores[m.Items[p]] += w * m.reach[min(int(d), len(m.reach)-1)]
	}
}
