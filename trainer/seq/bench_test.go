package seq_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/seq"
)

// clickstream builds users browsing a catalog of n items: each walks a
// chain of related items (the next few ids) with jumps to Zipf-popular
// items, views with the odd cart and purchase, a minute apart.
func clickstream(users, steps, n int, seed uint64) *trainer.Dataset {
	rng := rand.New(rand.NewPCG(seed, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(n-1))
	b := trainer.NewBuilder()
	for i := range n {
		b.Item(fmt.Sprint("gid://shopify/Product/", i))
	}
	for u := range users {
		cur := int(zipf.Uint64())
		for k := range steps {
			if rng.Float64() < 0.7 {
				cur = (cur + 1 + rng.IntN(3)) % n
			} else {
				cur = int(zipf.Uint64())
			}
			typ := schemas.View
			if r := rng.Float64(); r < 0.05 {
				typ = schemas.Purchase
			} else if r < 0.15 {
				typ = schemas.AddToCart
			}
			b.AddMillis(fmt.Sprint("u", u), fmt.Sprint("gid://shopify/Product/", cur), typ, int64(u*steps+k)*60_000)
		}
	}
	return b.Build()
}

// benchSnapshot fits the production blend (popularity, transitions,
// session-kNN, GRU) over n items; the GRU is trained briefly on a subset,
// which does not change its scoring cost.
func benchSnapshot(b *testing.B, n int) (*trainer.Snapshot, []features.Entry) {
	b.Helper()
	d := clickstream(20_000, 20, n, 1)
	small := d.WithSeqs(d.Seqs[:1000])
	cfg := trainer.FitConfig{Weights: features.DefaultWeights(), Seed: 1}
	var parts []trainer.Part
	for _, f := range []struct {
		alg  trainer.Algorithm
		data *trainer.Dataset
	}{{trainer.Popularity{}, d}, {trainer.Transitions{}, d}, {seq.SessionKNN{}, d}, {seq.GRU{Epochs: 1, ValidUsers: -1}, small}} {
		c, err := f.alg.Fit(context.Background(), f.data, cfg)
		if err != nil {
			b.Fatal(err)
		}
		parts = append(parts, trainer.Part{Algorithm: f.alg.Name(), Weight: 0.25, Component: c})
	}
	snap := trainer.NewSnapshot(schemas.ModelUpdate{Version: "bench"}, d.Items, parts)
	// A 200-event Redis history: the longest the scorer reads.
	var h []features.Entry
	for _, e := range clickstream(1, 200, n, 2).Seqs[0] {
		h = append(h, features.Entry{Type: e.Type, ProductGID: d.Items[e.Item], Time: time.UnixMilli(e.Time)})
	}
	return snap, h
}

// BenchmarkScoreBlend is the scorer's per-event work: a 200-event history
// through every part of the blend, exclusions and the top 10.
func BenchmarkScoreBlend(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			snap, h := benchSnapshot(b, n)
			exclude := []string{h[len(h)-1].ProductGID}
			b.ReportAllocs()
			lat := make([]time.Duration, 0, 1024)
			for b.Loop() {
				start := time.Now()
				snap.Rank(h, 10, exclude)
				lat = append(lat, time.Since(start))
			}
			reportQuantiles(b, lat)
		})
	}
}

// BenchmarkScoreComponents is the per-event cost of each part alone.
func BenchmarkScoreComponents(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		snap, h := benchSnapshot(b, n)
		events := snap.Events(h)
		for _, p := range snap.Parts {
			b.Run(fmt.Sprintf("%s/items=%d", p.Algorithm, n), func(b *testing.B) {
				scores := make([]float32, n)
				b.ReportAllocs()
				lat := make([]time.Duration, 0, 1024)
				for b.Loop() {
					start := time.Now()
					p.Component.Score(events, scores)
					lat = append(lat, time.Since(start))
				}
				reportQuantiles(b, lat)
			})
		}
	}
}

func reportQuantiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(q(0.5), "p50-ns")
	b.ReportMetric(q(0.99), "p99-ns")
}
