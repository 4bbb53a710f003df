package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/explicit"
)

func ratings() *explicit.Ratings {
	rng := rand.New(rand.NewPCG(3, 4))
	b := explicit.NewBuilder()
	for u := 0; u < 100; u++ {
		taste := float64(u%2)*2 - 1
		for _, i := range rng.Perm(40)[:25] {
			v := 3 + 1.5*taste*(float64(i%2)*2-1) + 0.2*rng.NormFloat64()
			b.Add(fmt.Sprintf("u%d", u), fmt.Sprintf("m%d", i), float32(min(max(v, 0.5), 5)), int64(i))
		}
	}
	return b.Build()
}

func TestRunExplicitScoresRatingsAndRankings(t *testing.T) {
	rep, err := RunExplicit(context.Background(), ratings(), Config{Models: []string{"baseline", "als"}, Ks: []int{10}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3 || rep.Results[0].Model != "popularity" || rep.Results[0].Rating != nil {
		t.Fatalf("results = %+v", rep.Results)
	}
	base, als := rep.Results[1], rep.Results[2]
	if base.Rating == nil || als.Rating == nil || als.Rating.RMSE >= base.Rating.RMSE {
		t.Errorf("RMSE baseline %+v, als %+v: ALS should win on two-taste data", base.Rating, als.Rating)
	}
	if als.Metrics[0].Precision <= rep.Results[0].Metrics[0].Precision {
		t.Errorf("ALS P@10 %.3f not above popularity's %.3f", als.Metrics[0].Precision, rep.Results[0].Metrics[0].Precision)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "RMSE") || !strings.Contains(table.String(), "–") {
		t.Errorf("table lacks rating columns:\n%s", table.String())
	}
}

func TestRunRejectsUnknownModelsAndStopsOnCancel(t *testing.T) {
	d := log()
	reg := trainer.Builtin()
	if _, err := Run(context.Background(), d, Config{Algorithms: reg, Models: []string{"nope"}}); err == nil {
		t.Error("an unknown model was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, d, Config{Algorithms: reg}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run on a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := RunExplicit(context.Background(), ratings(), Config{Models: []string{"svd"}}); err == nil {
		t.Error("an unknown explicit model was accepted")
	}
}
