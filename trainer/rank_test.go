package trainer_test

import (
	"math"
	"testing"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// referenceRank is Snapshot.Rank as first written: every part scores every
// item into a dense vector, which is max-normalized and added to the blend
// item by item. The optimized Rank must rank exactly like it.
func referenceRank(s *trainer.Snapshot, h []features.Entry, n int, exclude []string) ([]schemas.ScoredItem, string) {
	blend, part := make([]float32, len(s.Items)), make([]float32, len(s.Items))
	personal := referenceBlend(s, s.Events(h), blend, part)
	index := make(map[string]int32, len(s.Items))
	for k, gid := range s.Items {
		index[gid] = int32(k)
	}
	for _, gid := range exclude {
		if id, ok := index[gid]; ok {
			trainer.Mask(blend, []int32{id})
		}
	}
	var items []schemas.ScoredItem
	for _, t := range trainer.TopN(blend, n) {
		if t.Score <= 0 && personal {
			break
		}
		items = append(items, schemas.ScoredItem{ProductGID: s.Items[t.Item], Score: float64(t.Score)})
	}
	if personal {
		return items, schemas.ReasonPersonalized
	}
	return items, schemas.ReasonPopular
}

// referenceBlend is Snapshot.Blend as first written.
func referenceBlend(s *trainer.Snapshot, h []trainer.Event, blend, part []float32) bool {
	clear(blend)
	personal := false
	for _, p := range s.Parts {
		p.Component.Score(h, part)
		var top float32
		for _, v := range part {
			top = max(top, v)
		}
		if top <= 0 {
			continue
		}
		if p.Algorithm != (trainer.Popularity{}).Name() {
			personal = true
		}
		w := float32(p.Weight) / top
		for k, v := range part {
			blend[k] += w * v
		}
	}
	return personal
}

func TestRankRanksLikeTheReferenceImplementation(t *testing.T) {
	products, users, count := 5000, 1500, 3000
	if testing.Short() || raceEnabled {
		products, users, count = 1500, 500, 1000
	}
	f := newRankFixture(t, products, users)
	blend, part := make([]float32, len(f.snap.Items)), make([]float32, len(f.snap.Items))
	refBlend, refPart := make([]float32, len(f.snap.Items)), make([]float32, len(f.snap.Items))
	for k, c := range f.cases(count, 1) {
		for i := range part {
			part[i] = float32(i % 7) // Blend takes part as it finds it
		}
		events := f.snap.Events(c.h)
		personal, wantPersonal := f.snap.Blend(events, blend, part), referenceBlend(f.snap, events, refBlend, refPart)
		if personal != wantPersonal || !near(blend, refBlend) {
			t.Fatalf("case %d (history %d): Blend differs from the reference", k, len(c.h))
		}
		got, gotReason := f.snap.Rank(c.h, c.n, c.exclude)
		want, wantReason := referenceRank(f.snap, c.h, c.n, c.exclude)
		if gotReason != wantReason || len(got) != len(want) {
			t.Fatalf("case %d (history %d): %d items, %s; want %d, %s", k, len(c.h), len(got), gotReason, len(want), wantReason)
		}
		for j := range want {
			g, w := got[j], want[j]
			if g.ProductGID != w.ProductGID || math.Abs(g.Score-w.Score) > 1e-5*math.Abs(w.Score) {
				t.Fatalf("case %d (history %d), rank %d: %s %v; want %s %v", k, len(c.h), j+1, g.ProductGID, g.Score, w.ProductGID, w.Score)
			}
		}
	}
}

// near reports whether a and b agree within 1e-5 relative, slot by slot.
func near(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5*math.Abs(float64(b[i])) {
			return false
		}
	}
	return true
}

// BenchmarkSnapshotRank is the scorer's per-list work on the default
// 5-part blend over 5,000 products: a 20-event history, some of its
// products excluded, the top 48 (Depth 3 × 16).
func BenchmarkSnapshotRank(b *testing.B) {
	f := newRankFixture(b, 5000, 2000)
	var cases []rankCase
	for _, c := range f.cases(4000, 2) {
		if len(c.h) == 20 {
			c.n = 48
			cases = append(cases, c)
		}
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		c := cases[k%len(cases)]
		f.snap.Rank(c.h, c.n, c.exclude)
		k++
	}
}
