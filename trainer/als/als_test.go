package als_test

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
	"github.com/recsys/recsys/trainer/als"
	"github.com/recsys/recsys/trainer/mf"
)

// clusters builds two groups of 100 users: the first buys items a0..a9, the
// second b0..b9, each user a random six of their group's ten items.
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
	c, err := als.ALS{Factors: 4, Iterations: 10}.Fit(context.Background(), d, fitConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ group, first, second string }{{"a", "a1", "a4"}, {"b", "b2", "b7"}} {
		h := history(d, tc.first, tc.second) // a user never seen in training
		scores := make([]float32, len(d.Items))
		c.Score(h, scores)
		trainer.Mask(scores, []int32{h[0].Item, h[1].Item})
		for _, top := range trainer.TopN(scores, 5) {
			if p := d.Items[top.Item]; p[:1] != tc.group {
				t.Errorf("history %s,%s: top-5 has %s, outside cluster %s", tc.first, tc.second, p, tc.group)
			}
		}
	}
}

func TestFoldInLeansTowardsTheNewestItem(t *testing.T) {
	d := clusters()
	// Two factors, one per cluster, so that the geometry is plain.
	c, err := als.ALS{Factors: 2, Iterations: 15, Weighting: mf.NoWeighting}.Fit(context.Background(), d, fitConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	// The same two items, one from each cluster, in both orders (within a
	// millisecond, so only the order differs): the recency boost makes the
	// newer one's cluster win.
	for _, order := range [][2]string{{"a1", "b2"}, {"b2", "a1"}} {
		h := history(d, order[0], order[1])
		scores := make([]float32, len(d.Items))
		c.Score(h, scores)
		trainer.Mask(scores, []int32{h[0].Item, h[1].Item})
		if top := d.Items[trainer.TopN(scores, 1)[0].Item]; top[:1] != order[1][:1] {
			t.Errorf("history %v: best item %s, not from the newest item's cluster", order, top)
		}
	}
	plain, err := als.ALS{Factors: 2, Iterations: 15, Weighting: mf.NoWeighting, RecentBoost: -1}.Fit(context.Background(), d, fitConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := make([]float32, len(d.Items)), make([]float32, len(d.Items))
	plain.Score(history(d, "a1", "b2"), s1)
	plain.Score(history(d, "b2", "a1"), s2)
	if !slices.Equal(s1, s2) {
		t.Error("without the recency boost the order of a history changed its scores")
	}
}

func TestEmptyOrUnknownHistoryScoresEveryItemZero(t *testing.T) {
	d := clusters()
	c, err := als.ALS{Factors: 4, Iterations: 2}.Fit(context.Background(), d, fitConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range [][]trainer.Event{nil, {{Item: int32(len(d.Items) + 5), Type: schemas.View}}} {
		scores := slices.Repeat([]float32{9}, len(d.Items))
		c.Score(h, scores)
		for i, s := range scores {
			if s != 0 {
				t.Fatalf("history %v: score[%d] = %v, want 0", h, i, s)
			}
		}
	}
}

func TestFitIsTheSameForAnyThreadCount(t *testing.T) {
	d := clusters()
	h := history(d, "a1", "b3", "a5")
	var want []float32
	for _, threads := range []int{1, 2, 3} {
		c, err := als.ALS{Factors: 8, Iterations: 3}.Fit(context.Background(), d, fitConfig(threads))
		if err != nil {
			t.Fatal(err)
		}
		scores := make([]float32, len(d.Items))
		c.Score(h, scores)
		if want == nil {
			want = scores
		} else if !slices.Equal(scores, want) {
			t.Errorf("threads=%d: scores differ from threads=1", threads)
		}
	}
}

func TestDecodedModelScoresIdentically(t *testing.T) {
	d := clusters()
	c, err := als.ALS{Factors: 8, Iterations: 3}.Fit(context.Background(), d, fitConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := als.ALS{}.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	h := history(d, "b1", "b2")
	s1, s2 := make([]float32, len(d.Items)), make([]float32, len(d.Items))
	c.Score(h, s1)
	back.Score(h, s2)
	if !slices.Equal(s1, s2) {
		t.Errorf("decoded model scores %v, original %v", s2, s1)
	}
	if _, err := (als.ALS{}).Decode([]byte("not a model")); err == nil {
		t.Error("decoding garbage succeeded")
	}
}

func TestCancelledFitReturnsTheContextErrorAndNoModel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := als.ALS{}.Fit(ctx, clusters(), fitConfig(2))
	if !errors.Is(err, context.Canceled) || c != nil {
		t.Errorf("Fit on a cancelled context = %v, %v; want nil, context.Canceled", c, err)
	}
}

func TestInvalidConfigurationsAreRejected(t *testing.T) {
	for _, a := range []als.ALS{{Factors: -1}, {Reg: -1}, {B: 2}, {Weighting: "idf"}, {RecentDecay: 1.5}, {PopWeight: -1}} {
		if _, err := a.Fit(context.Background(), clusters(), fitConfig(1)); err == nil {
			t.Errorf("%+v: Fit succeeded", a)
		}
	}
}
