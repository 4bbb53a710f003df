package bpr_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/bpr"
)

// clusters builds two groups of 100 users: the first buys a random six of
// items a0..a9, the second of b0..b9.
func clusters() *trainer.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	b := trainer.NewBuilder()
	for u := 0; u < 200; u++ {
		group := "a"
		if u >= 100 {
			group = "b"
		}
		for k, j := range rng.Perm(10)[:6] {
			b.AddMillis(fmt.Sprintf("u%d", u), fmt.Sprintf("%s%d", group, j), schemas.Purchase, int64(1000*(u+k)))
		}
	}
	return b.Build()
}

func fitConfig(threads int) trainer.FitConfig {
	return trainer.FitConfig{Weights: features.DefaultWeights(), Threads: threads, Seed: 7}
}

func history(d *trainer.Dataset, products ...string) []trainer.Event {
	var h []trainer.Event
	for k, p := range products {
		id, _ := d.ItemID(p)
		h = append(h, trainer.Event{Item: id, Type: schemas.View, Time: int64(k)})
	}
	return h
}

func TestFoldInOfANewUserRecommendsTheirCluster(t *testing.T) {
	d := clusters()
	for _, fold := range []bpr.FoldIn{bpr.FoldMean, bpr.FoldSGD} {
		for _, sampling := range []bpr.Sampling{bpr.Uniform, bpr.Popularity} {
			b := bpr.BPR{Factors: 8, Epochs: 50, FoldIn: fold, Sampling: sampling}
			c, err := b.Fit(context.Background(), d, fitConfig(2))
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ group, first, second string }{{"a", "a1", "a4"}, {"b", "b2", "b7"}} {
				h := history(d, tc.first, tc.second)
				scores := make([]float32, len(d.Items))
				c.Score(h, scores)
				trainer.Mask(scores, []int32{h[0].Item, h[1].Item})
				for _, top := range trainer.TopN(scores, 5) {
					if p := d.Items[top.Item]; p[:1] != tc.group {
						t.Errorf("%s/%s fold-in of %s,%s: top-5 has %s", fold, sampling, tc.first, tc.second, p)
					}
				}
			}
		}
	}
}

func TestFitIsDeterministicForASeedAndThreadCount(t *testing.T) {
	d := clusters()
	h := history(d, "a1", "b3", "a5")
	for _, threads := range []int{1, 2} {
		var want []float32
		for run := 0; run < 2; run++ {
			c, err := bpr.BPR{Factors: 8, Epochs: 5}.Fit(context.Background(), d, fitConfig(threads))
			if err != nil {
				t.Fatal(err)
			}
			scores := make([]float32, len(d.Items))
			c.Score(h, scores)
			if want == nil {
				want = scores
			} else if !slices.Equal(scores, want) {
				t.Errorf("threads=%d: two fits with one seed differ", threads)
			}
		}
	}
}

func TestDecodedModelScoresIdentically(t *testing.T) {
	d := clusters()
	for _, fold := range []bpr.FoldIn{bpr.FoldMean, bpr.FoldSGD} {
		c, err := bpr.BPR{Factors: 8, Epochs: 3, FoldIn: fold}.Fit(context.Background(), d, fitConfig(2))
		if err != nil {
			t.Fatal(err)
		}
		data, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := bpr.BPR{}.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		h := history(d, "b1", "b2")
		s1, s2 := make([]float32, len(d.Items)), make([]float32, len(d.Items))
		c.Score(h, s1)
		back.Score(h, s2)
		if !slices.Equal(s1, s2) {
			t.Errorf("%s: decoded model scores %v, original %v", fold, s2, s1)
		}
	}
}

func TestEmptyHistoryScoresEveryItemZero(t *testing.T) {
	d := clusters()
	c, err := bpr.BPR{Factors: 4, Epochs: 1}.Fit(context.Background(), d, fitConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	scores := slices.Repeat([]float32{9}, len(d.Items))
	c.Score(nil, scores)
	if slices.ContainsFunc(scores, func(s float32) bool { return s != 0 }) {
		t.Errorf("scores of an empty history = %v, want zeros", scores)
	}
}

func TestCancelledFitReturnsTheContextErrorAndNoModel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := bpr.BPR{}.Fit(ctx, clusters(), fitConfig(2))
	if !errors.Is(err, context.Canceled) || c != nil {
		t.Errorf("Fit on a cancelled context = %v, %v; want nil, context.Canceled", c, err)
	}
}

func TestInvalidConfigurationsAreRejected(t *testing.T) {
	for _, b := range []bpr.BPR{{Factors: -1}, {LR: -1}, {Sampling: "zipf"}, {FoldIn: "max"}} {
		if _, err := b.Fit(context.Background(), clusters(), fitConfig(1)); err == nil {
			t.Errorf("%+v: Fit succeeded", b)
		}
	}
}
