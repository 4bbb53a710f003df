package trainer

import (
	"math"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer/internal/vec"
)

// SparseComponent is a Component that scores few items for most histories
// (sequential rules, neighbourhoods). Blend then touches only those items
// instead of scanning, normalizing and adding every item's slot.
type SparseComponent interface {
	Component
	// ScoreSparse is Score for a scores vector the caller passes all zero:
	// it writes the same values as Score, appends the index of every slot
	// it wrote to touched (an index may repeat) and returns touched. Every
	// slot it does not list stays 0. Like Score it is safe for concurrent
	// use and retains neither h, scores nor touched.
	ScoreSparse(h []Event, scores []float32, touched []int32) []int32
}

// rankBufs is the scratch space of one Rank or Blend call, pooled by the
// snapshot so that ranking allocates only its result.
type rankBufs struct {
	blend, part []float32 // one slot per item; part is zero between calls
	touched     []int32
	events      []Event
	top         []Scored
}

func newRankBufs(items int) *rankBufs {
	b := make([]float32, 2*items)
	return &rankBufs{blend: b[:items:items], part: b[items:]}
}

// Rank returns the n best products for a user with history h (oldest
// first), never one of exclude, and the reason: personalized when a
// history-aware component contributed, else popular.
func (s *Snapshot) Rank(h []features.Entry, n int, exclude []string) ([]schemas.ScoredItem, string) {
	b := s.bufs.Get().(*rankBufs) // not put back if a part panics: part may be dirty
	b.events = s.appendEvents(b.events[:0], h)
	var personal bool
	personal, b.touched = s.blend(b.events, b.blend, b.part, b.touched, false)
	for _, gid := range exclude {
		if id, ok := s.index[gid]; ok {
			b.blend[id] = float32(math.Inf(-1)) // as Mask
		}
	}
	b.top = TopNInto(b.top, b.blend, n)
	items := make([]schemas.ScoredItem, 0, len(b.top))
	for _, t := range b.top {
		if t.Score <= 0 && personal {
			break // nothing relevant left; the scorer may backfill
		}
		items = append(items, schemas.ScoredItem{ProductGID: s.Items[t.Item], Score: float64(t.Score)})
	}
	s.bufs.Put(b)
	if personal {
		return items, schemas.ReasonPersonalized
	}
	return items, schemas.ReasonPopular
}

// Blend writes the weighted sum of every part's max-normalized scores into
// blend (len = items), using part as scratch. It reports whether any part
// other than popularity scored something.
func (s *Snapshot) Blend(h []Event, blend, part []float32) bool {
	b := s.bufs.Get().(*rankBufs)
	var personal bool
	personal, b.touched = s.blend(h, blend, part, b.touched, true)
	s.bufs.Put(b)
	return personal
}

// blend is Blend with a buffer for sparse parts' touched lists. A part's
// scores are added to the blend item by item in part order, every item of a
// dense part and the touched items of a sparse one (which adds exactly what
// adding its zeros would), so the sums are bit for bit those of adding every
// part densely. part must be all zero on entry unless dirty; blend leaves
// it all zero.
func (s *Snapshot) blend(h []Event, blend, part []float32, touched []int32, dirty bool) (bool, []int32) {
	clear(blend)
	personal := false
	for _, p := range s.Parts {
		var top float32
		sp, sparse := p.Component.(SparseComponent)
		if sparse {
			if dirty {
				clear(part)
				dirty = false
			}
			touched = sp.ScoreSparse(h, part, touched[:0])
			top = peakAt(part, touched)
		} else {
			p.Component.Score(h, part)
			dirty = true
			top = vec.Peak(part)
		}
		if !(top <= 0) {
			if p.Algorithm != (Popularity{}).Name() {
				personal = true
			}
			w := float32(p.Weight) / top
			if sparse && w*0 == 0 {
				addScaledAt(blend, w, part, touched)
				continue
			}
			vec.AddScaled(blend, w, part) // w·0 ≠ 0 (w infinite or NaN) reaches every item
		}
		if sparse {
			clearAt(part, touched)
		}
	}
	if dirty {
		clear(part)
	}
	return personal, touched
}

// peakAt is vec.Peak over the slots at of s.
func peakAt(s []float32, at []int32) float32 {
	var top float32
	for _, k := range at {
		if v := s[k]; !(v <= top) {
			if v != v {
				return v
			}
			top = v
		}
	}
	return top
}

// addScaledAt adds w·src to dst at the slots at and zeroes them in src. A
// repeated slot adds w·0 the second time, which changes nothing for finite w.
func addScaledAt(dst []float32, w float32, src []float32, at []int32) {
	for _, k := range at {
		dst[k] += float32(w * src[k])
		src[k] = 0
	}
}

// clearAt zeroes the slots at of s.
func clearAt(s []float32, at []int32) {
	for _, k := range at {
		s[k] = 0
	}
}
