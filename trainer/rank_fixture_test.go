package trainer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/models"
)

// defaultBlend is the scorer's default blend (cmd/recsys --blend).
func defaultBlend() map[string]float64 {
	return map[string]float64{"transitions": 1, "sknn": 1, "als": 0.3, "bpr": 0.3, "popularity": 0.05}
}

// rankFixture is a snapshot of the default blend as the scorer holds it
// (fitted, encoded, decoded) and the synthetic shoppers it was fitted on.
type rankFixture struct {
	snap  *trainer.Snapshot
	users [][]features.Entry // every shopper's events, oldest first
}

// newRankFixture fits the default blend on the synthetic store's events of
// users shoppers over a catalog of products (all of them in the snapshot,
// as after a catalog sync), in the part order the trainer uses.
func newRankFixture(tb testing.TB, products, users int) *rankFixture {
	tb.Helper()
	gen, err := synth.New(synth.Config{Products: products, Users: users, SessionsPerUser: 8})
	if err != nil {
		tb.Fatal(err)
	}
	b := trainer.NewBuilder()
	for _, p := range gen.Catalog() {
		b.Item(p.GID)
	}
	byUser := map[string][]features.Entry{}
	for ev := range gen.Events() {
		b.Add(ev.UserID, ev.Product, ev.Type, ev.Time)
		byUser[ev.UserID] = append(byUser[ev.UserID], features.Entry{Type: ev.Type, ProductGID: ev.Product, Time: ev.Time})
	}
	d := b.Build()
	snap := decoded(tb, trainer.NewSnapshot(schemas.ModelUpdate{Version: "fixture"}, d.Items, fitBlend(tb, d)))
	f := &rankFixture{snap: snap}
	for _, u := range gen.Users() {
		if h := byUser[u]; len(h) > 0 {
			f.users = append(f.users, h)
		}
	}
	return f
}

// fitBlend fits every part of defaultBlend on d, sorted by name.
func fitBlend(tb testing.TB, d *trainer.Dataset) []trainer.Part {
	tb.Helper()
	blend := defaultBlend()
	names := make([]string, 0, len(blend))
	for name := range blend {
		names = append(names, name)
	}
	slices.Sort(names)
	reg := models.All()
	fc := trainer.FitConfig{Weights: features.DefaultWeights(), Seed: 1}
	var parts []trainer.Part
	for _, name := range names {
		alg, err := reg.Lookup(name)
		if err != nil {
			tb.Fatal(err)
		}
		c, err := alg.Fit(context.Background(), d, fc)
		if err != nil {
			tb.Fatalf("fitting %s: %v", name, err)
		}
		parts = append(parts, trainer.Part{Algorithm: name, Weight: blend[name], Component: c})
	}
	return parts
}

// decoded round-trips s through its encoding, as the scorer receives it.
func decoded(tb testing.TB, s *trainer.Snapshot) *trainer.Snapshot {
	tb.Helper()
	blob, err := s.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := trainer.DecodeSnapshot(blob, models.All())
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// rankCase is one Rank call: a history, a list length and exclusions.
type rankCase struct {
	h       []features.Entry
	n       int
	exclude []string
}

// cases draws count Rank calls: windows of varied length (0 to 80) ending
// anywhere in a shopper's events, some with unknown products mixed in,
// excluding some of the history's products and an unknown one.
func (f *rankFixture) cases(count int, seed uint64) []rankCase {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]rankCase, 0, count)
	for k := range count {
		u := f.users[rng.IntN(len(f.users))]
		end := 1 + rng.IntN(len(u))
		n := []int{0, 1, 2, 5, 10, 20, 30, 50, 80}[k%9]
		h := slices.Clone(u[max(0, end-n):end])
		if k%5 == 1 {
			h = withUnknown(rng, h)
		}
		c := rankCase{h: h, n: []int{1, 10, 48, 300}[rng.IntN(4)]}
		for _, e := range h {
			if rng.IntN(2) == 0 {
				c.exclude = append(c.exclude, e.ProductGID)
			}
		}
		c.exclude = append(c.exclude, "gid://shopify/Product/unknown")
		out = append(out, c)
	}
	return out
}

// withUnknown inserts products the snapshot has never seen into h; a history
// of only unknown products when h is empty.
func withUnknown(rng *rand.Rand, h []features.Entry) []features.Entry {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if len(h) > 0 {
		t = h[len(h)-1].Time
	}
	for j := range 1 + rng.IntN(3) {
		e := features.Entry{Type: schemas.View, ProductGID: fmt.Sprint("gid://shopify/Product/new-", j), Time: t}
		at := rng.IntN(len(h) + 1)
		h = slices.Insert(h, at, e)
	}
	return h
}
