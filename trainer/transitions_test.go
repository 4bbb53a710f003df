package trainer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// TestTransitionsWeighPairsAcrossAPauseByAcross: every user views a then b a
// minute later, or a then c after a day; c follows a more often, but across
// a pause.
func TestTransitionsWeighPairsAcrossAPauseByAcross(t *testing.T) {
	b := trainer.NewBuilder()
	for u := range 30 {
		next, gap := "b", time.Minute
		if u%3 != 0 {
			next, gap = "c", 24*time.Hour
		}
		user := fmt.Sprint("u", u)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		b.Add(user, "a", schemas.View, t0)
		b.Add(user, next, schemas.View, t0.Add(gap))
	}
	d := b.Build()
	a, _ := d.ItemID("a")
	bID, _ := d.ItemID("b")
	cID, _ := d.ItemID("c")
	cfg := trainer.FitConfig{Weights: features.DefaultWeights()}
	for _, tc := range []struct {
		across float64
		want   int32
	}{{1, cID}, {0.1, bID}} {
		m, err := trainer.Transitions{Across: tc.across}.Fit(context.Background(), d, cfg)
		if err != nil {
			t.Fatal(err)
		}
		scores := make([]float32, len(d.Items))
		m.Score([]trainer.Event{{Item: a, Type: schemas.View}}, scores)
		if got := trainer.TopN(scores, 1)[0].Item; got != tc.want {
			t.Errorf("Across %v: best after a is %s, want %s (scores %v)", tc.across, d.Items[got], d.Items[tc.want], scores)
		}
	}
}
