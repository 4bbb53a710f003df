package trainer_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

func TestExplainedContributionsAddUpToTheRankedScores(t *testing.T) {
	b := trainer.NewBuilder()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for u := 0; u < 20; u++ {
		user := string(rune('a' + u))
		for k := 0; k < 4; k++ {
			b.Add(user, schemas.ProductGID(uint64(1+(u+k)%7)), schemas.View, t0.Add(time.Duration(u*10+k)*time.Minute))
		}
	}
	d := b.Build()
	fc := trainer.FitConfig{Weights: features.DefaultWeights(), Threads: 1}
	var parts []trainer.Part
	for alg, w := range map[trainer.Algorithm]float64{trainer.Popularity{}: 0.2, trainer.Transitions{}: 1} {
		c, err := alg.Fit(context.Background(), d, fc)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, trainer.Part{Algorithm: alg.Name(), Weight: w, Component: c})
	}
	snap := trainer.NewSnapshot(schemas.ModelUpdate{Version: "t"}, d.Items, parts)
	h := []features.Entry{{Type: schemas.View, ProductGID: schemas.ProductGID(3), Time: t0}}
	ranked, _ := snap.Rank(h, 5, nil)
	gids := []string{"unknown"}
	for _, it := range ranked {
		gids = append(gids, it.ProductGID)
	}
	explained := snap.Explain(h, gids)
	if len(explained[0]) != 0 {
		t.Errorf("an unknown item has contributions %v", explained[0])
	}
	for k, it := range ranked {
		var sum float64
		for _, c := range explained[k+1] {
			sum += c.Score
		}
		if len(explained[k+1]) != len(parts) || math.Abs(sum-it.Score) > 1e-5 {
			t.Errorf("%s: contributions %+v add up to %v; ranked score %v", it.ProductGID, explained[k+1], sum, it.Score)
		}
	}
}
