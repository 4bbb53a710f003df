package seq_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/seq"
)

func fitConfig() trainer.FitConfig {
	return trainer.FitConfig{Weights: features.DefaultWeights(), Threads: 2, Seed: 7}
}

// chains builds users who each walk the cycle 0→1→…→n-1→0 from a random
// start, one view a minute, in sessions of length steps.
func chains(users, n, steps int, seed uint64) *trainer.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := trainer.NewBuilder()
	for i := range n {
		b.Item(fmt.Sprint(i))
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for u := range users {
		start := rng.IntN(n)
		for k := range steps {
			b.Add(fmt.Sprint("u", u), fmt.Sprint((start+k)%n), schemas.View, t0.Add(time.Duration(u*steps+k)*time.Minute))
		}
	}
	return b.Build()
}

// history turns items into a history of views one minute apart.
func history(d *trainer.Dataset, items ...string) []trainer.Event {
	h := make([]trainer.Event, len(items))
	for k, it := range items {
		id, ok := d.ItemID(it)
		if !ok {
			panic("unknown item " + it)
		}
		h[k] = trainer.Event{Item: id, Type: schemas.View, Time: int64(k) * 60_000}
	}
	return h
}

func best(scores []float32) int32 { return trainer.TopN(scores, 1)[0].Item }

// algorithms are the models of this package with settings small enough for
// unit tests.
func algorithms() []trainer.Algorithm {
	return []trainer.Algorithm{
		trainer.Transitions{},
		seq.SessionKNN{},
		seq.GRU{Dim: 16, Epochs: 30, Batch: 32, Negatives: 8, LearningRate: 0.1, ValidUsers: -1},
	}
}

func TestEveryModelRanksTheNextItemOfAChainFirst(t *testing.T) {
	d := chains(200, 10, 8, 1)
	for _, a := range algorithms() {
		t.Run(a.Name(), func(t *testing.T) {
			c, err := a.Fit(context.Background(), d, fitConfig())
			if err != nil {
				t.Fatal(err)
			}
			scores := make([]float32, len(d.Items))
			for k := range 10 {
				a, b, want := fmt.Sprint(k), fmt.Sprint((k+1)%10), fmt.Sprint((k+2)%10)
				c.Score(history(d, a, b), scores)
				if got := d.Items[best(scores)]; got != want {
					t.Errorf("after %s, %s: best is %s, want %s (scores %v)", a, b, got, want, scores)
				}
			}
		})
	}
}

func TestSessionKNNFindsTheNeighbourSession(t *testing.T) {
	b := trainer.NewBuilder()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sessions := [][]string{{"a", "b", "c", "d"}, {"x", "y", "z"}, {"p", "q"}}
	for u, s := range sessions {
		for k, it := range s {
			b.Add(fmt.Sprint("u", u), it, schemas.View, t0.Add(time.Duration(k)*time.Minute))
		}
	}
	d := b.Build()
	c, err := seq.SessionKNN{}.Fit(context.Background(), d, fitConfig())
	if err != nil {
		t.Fatal(err)
	}
	scores := make([]float32, len(d.Items))
	c.Score(history(d, "x", "y"), scores)
	if got := d.Items[best(scores)]; got != "z" {
		t.Errorf("best is %s; want z, the item after the match in the neighbour session", got)
	}
	for _, other := range []string{"a", "b", "c", "d", "p", "q"} {
		if id, _ := d.ItemID(other); scores[id] != 0 {
			t.Errorf("score of %s = %v; an item of a session sharing nothing must score 0", other, scores[id])
		}
	}
	if z, _ := d.ItemID("z"); scores[z] <= 0 {
		t.Errorf("score of z = %v; want > 0", scores[z])
	}
}

func TestGRULossDecreasesWhileItLearns(t *testing.T) {
	d := chains(200, 10, 8, 2)
	var losses []float64
	g := seq.GRU{Dim: 16, Epochs: 10, Batch: 32, Negatives: 8, LearningRate: 0.1, ValidUsers: 20, Patience: 100,
		Progress: func(_ int, loss, _ float64) { losses = append(losses, loss) }}
	if _, err := g.Fit(context.Background(), d, fitConfig()); err != nil {
		t.Fatal(err)
	}
	if len(losses) != 10 {
		t.Fatalf("Progress called %d times, want 10", len(losses))
	}
	if !(losses[9] < losses[0]/2) {
		t.Errorf("loss went from %.3f to %.3f; want it at least halved", losses[0], losses[9])
	}
}

func TestGRUIsDeterministicForASeedAndThreadCount(t *testing.T) {
	d := chains(100, 10, 8, 3)
	g := seq.GRU{Dim: 8, Epochs: 3, Batch: 16, Negatives: 4, ValidUsers: -1}
	var runs [2][]float32
	for k := range runs {
		c, err := g.Fit(context.Background(), d, fitConfig())
		if err != nil {
			t.Fatal(err)
		}
		runs[k] = make([]float32, len(d.Items))
		c.Score(history(d, "1", "2"), runs[k])
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Errorf("two fits with one seed differ:\n%v\n%v", runs[0], runs[1])
	}
}

func TestFitReturnsNoModelWhenCancelled(t *testing.T) {
	d := chains(300, 10, 8, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, a := range algorithms() {
		c, err := a.Fit(ctx, d, fitConfig())
		if !errors.Is(err, context.Canceled) || c != nil {
			t.Errorf("%s: Fit on a cancelled context = %v, %v; want nil, context.Canceled", a.Name(), c, err)
		}
	}
}

func TestGRUStopsTrainingWhenCancelled(t *testing.T) {
	d := chains(300, 20, 30, 5)
	ctx, cancel := context.WithCancel(context.Background())
	epochs := 0
	g := seq.GRU{Dim: 16, Epochs: 1000, ValidUsers: -1, Progress: func(int, float64, float64) { epochs++; cancel() }}
	c, err := g.Fit(ctx, d, fitConfig())
	if !errors.Is(err, context.Canceled) || c != nil {
		t.Fatalf("Fit = %v, %v; want nil, context.Canceled", c, err)
	}
	if epochs != 1 {
		t.Errorf("%d epochs ran; want training to stop in the epoch after the cancel", epochs)
	}
}

func TestDecodedModelsScoreExactlyLikeTheOriginals(t *testing.T) {
	d := chains(100, 10, 8, 6)
	hs := [][]trainer.Event{nil, history(d, "3"), history(d, "1", "2", "3", "5")}
	for _, a := range algorithms() {
		c, err := a.Fit(context.Background(), d, fitConfig())
		if err != nil {
			t.Fatal(err)
		}
		data, err := c.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %v", a.Name(), err)
		}
		back, err := a.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", a.Name(), err)
		}
		for _, h := range hs {
			want, got := make([]float32, len(d.Items)), make([]float32, len(d.Items))
			c.Score(h, want)
			back.Score(h, got)
			if !slices.Equal(want, got) {
				t.Errorf("%s: history %v: decoded scores %v, want %v", a.Name(), h, got, want)
			}
		}
		if _, err := a.Decode(data[:len(data)/2]); err == nil {
			t.Errorf("%s: decoding a truncated blob succeeded", a.Name())
		}
	}
}

func TestScoreOverwritesEverySlotAndIsSafeForConcurrentUse(t *testing.T) {
	d := chains(100, 10, 8, 7)
	for _, a := range algorithms() {
		c, err := a.Fit(context.Background(), d, fitConfig())
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, len(d.Items))
		c.Score(history(d, "4", "5"), want)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				scores := make([]float32, len(d.Items))
				for k := range 50 {
					for j := range scores {
						scores[j] = float32(math.NaN())
					}
					h := history(d, "4", "5")
					if (g+k)%3 == 0 {
						h = nil
					}
					c.Score(h, scores)
					for j, v := range scores {
						if v != v || math.IsInf(float64(v), 0) {
							t.Errorf("%s: slot %d not overwritten: %v", a.Name(), j, v)
							return
						}
					}
					if h != nil && !slices.Equal(scores, want) {
						t.Errorf("%s: concurrent scores differ", a.Name())
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}

func TestUnknownItemsInTheHistoryAreIgnored(t *testing.T) {
	d := chains(100, 10, 8, 8)
	for _, a := range algorithms() {
		c, err := a.Fit(context.Background(), d, fitConfig())
		if err != nil {
			t.Fatal(err)
		}
		want, got := make([]float32, len(d.Items)), make([]float32, len(d.Items))
		c.Score(history(d, "1", "2"), want)
		h := append(history(d, "1", "2"), trainer.Event{Item: 10_000, Type: schemas.View, Time: 120_000})
		c.Score(h, got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: an unknown item changed the scores", a.Name())
		}
	}
}

func TestModelsFitDataWithoutTransitions(t *testing.T) {
	b := trainer.NewBuilder()
	b.AddMillis("u1", "a", schemas.Purchase, 1)
	b.AddMillis("u2", "a", schemas.Purchase, 1)
	b.AddMillis("u3", "b", schemas.Purchase, 1)
	d := b.Build()
	for _, a := range algorithms() {
		c, err := a.Fit(context.Background(), d, fitConfig())
		if err != nil {
			t.Fatalf("%s: %v", a.Name(), err)
		}
		scores := make([]float32, len(d.Items))
		c.Score(history(d, "b"), scores)
		if a.Name() == "gru" && !(scores[0] > scores[1]) {
			t.Errorf("gru without transitions scores %v; want popularity order (a before b)", scores)
		}
	}
}
