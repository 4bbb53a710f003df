package explicit_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/recsys/recsys/trainer/explicit"
)

// lowRank builds ratings 1..5 from a rank-2 taste model plus user and item
// offsets, every user rating 60 of 80 items.
func lowRank() *explicit.Ratings {
	rng := rand.New(rand.NewPCG(3, 4))
	b := explicit.NewBuilder()
	for u := 0; u < 150; u++ {
		pu := [2]float64{rng.NormFloat64(), rng.NormFloat64()}
		for _, i := range rng.Perm(80)[:60] {
			qi := [2]float64{float64(i%2)*2 - 1, float64(i%3) - 1}
			v := 3 + 0.8*(pu[0]*qi[0]+pu[1]*qi[1]) + 0.3*float64(u%3-1) + 0.1*rng.NormFloat64()
			b.Add(fmt.Sprintf("u%d", u), fmt.Sprintf("i%d", i), float32(min(max(v, 1), 5)), int64(u))
		}
	}
	return b.Build()
}

func TestFactorModelsBeatTheBaselineOnLowRankRatings(t *testing.T) {
	train, test := lowRank().Split(0.2, 1)
	base, err := explicit.Baseline{}.Fit(context.Background(), train, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	floor := explicit.Evaluate(base, test).RMSE
	for _, f := range []explicit.Fitter{explicit.MF{Factors: 8}, explicit.ALS{Rank: 4}, explicit.ALS{Rank: 4, NoBiases: true}} {
		m, err := f.Fit(context.Background(), train, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		e := explicit.Evaluate(m, test)
		t.Logf("%s: %+v (baseline RMSE %.3f)", f.Name(), e, floor)
		if e.RMSE > 0.5*floor || e.R2 < 0.8 {
			t.Errorf("%s: RMSE %.3f, R² %.3f; want under half the baseline's %.3f and R² ≥ 0.8", f.Name(), e.RMSE, e.R2, floor)
		}
	}
}

func TestSearchSelectsOnValidationAndNeverSeesTest(t *testing.T) {
	train, _ := lowRank().Split(0.2, 1)
	cands := []explicit.Fitter{explicit.Baseline{}, explicit.ALS{Rank: 4}}
	best, trials, err := explicit.Search(context.Background(), cands, train, 0.2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(trials) != 2 || best.Name() != cands[1].Name() {
		t.Errorf("search chose %s from %+v; want the rank-4 ALS", best.Name(), trials)
	}
	if trials[1].Valid.RMSE >= trials[0].Valid.RMSE {
		t.Errorf("validation RMSEs %+v: ALS should be lower", trials)
	}
}

func TestSplitIsDeterministicBySeed(t *testing.T) {
	r := lowRank()
	a, _ := r.Split(0.2, 9)
	b, _ := r.Split(0.2, 9)
	if len(a.R) != len(b.R) || a.R[17] != b.R[17] {
		t.Error("two splits with one seed differ")
	}
	if frac := 1 - float64(len(a.R))/float64(len(r.R)); frac < 0.17 || frac > 0.23 {
		t.Errorf("test share %.3f, want about 0.2", frac)
	}
}

func TestCancelledFitsReturnTheContextErrorAndNoModel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, f := range []explicit.Fitter{explicit.Baseline{}, explicit.MF{}, explicit.ALS{}, explicit.Searched{}} {
		m, err := f.Fit(ctx, lowRank(), 2, 1)
		if !errors.Is(err, context.Canceled) || m != nil {
			t.Errorf("%s on a cancelled context = %v, %v; want nil, context.Canceled", f.Name(), m, err)
		}
	}
}
