package als_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/als"
	"github.com/recsys/recsys/trainer/datasets"
)

const retailPath = "../../../shared/data/online-retail/online_retail.csv.gz"

func loadRetail(tb testing.TB) *trainer.Dataset {
	tb.Helper()
	if _, err := os.Stat(retailPath); err != nil {
		tb.Skipf("Online Retail not present at %s (evaluation data lives outside the repo)", retailPath)
	}
	d, err := datasets.Load(retailPath, datasets.Retail)
	if err != nil {
		tb.Fatal(err)
	}
	return d.Events
}

// TestALSMeetsTheTargetOnOnlineRetail checks the LLO quality of the default
// model (64 factors, 15 iterations): the issue asks for HR@10 ≥ 0.17 and
// NDCG@10 ≥ 0.095 (implicit's ALS: 0.155 / 0.088).
func TestALSMeetsTheTargetOnOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("fits on the full data set")
	}
	train, test := trainer.SplitLastOut(loadRetail(t))
	m := fitAndEvaluate(t, als.ALS{}, train, test, false)
	t.Logf("als: %+v", m)
	if m.HR < 0.17 || m.NDCG < 0.095 {
		t.Errorf("HR@10 %.4f NDCG@10 %.4f; want at least 0.17 / 0.095", m.HR, m.NDCG)
	}
}

// TestDefaultsWinOnValidationWithOrWithoutOrderWithinABasket re-checks the
// choice of defaults where it was made: on a validation split carved from
// the LLO training set (its last item per user), never on the test users.
// An invoice's items share a timestamp and the protocol orders them by
// StockCode, so "the newest item" is mostly the held-out item's neighbour in
// code order, often a sibling product. With that order the defaults must
// beat the old ones (linear confidence, no recency boost); with it
// shuffled away, as in a shop where it carried no signal, the gain is small
// (NDCG@10 +0.001 to +0.006, HR@10 −0.001 to +0.008 over seeds 1–5), so
// there they must win on NDCG and not lose more than 0.005 of HR.
func TestDefaultsWinOnValidationWithOrWithoutOrderWithinABasket(t *testing.T) {
	if testing.Short() {
		t.Skip("fits on the full data set")
	}
	train, _ := trainer.SplitLastOut(loadRetail(t))
	fit, valid := trainer.SplitLastOut(train)
	old := als.ALS{Alpha: 1, Epsilon: -1, RecentBoost: -1}
	for _, shuffle := range []bool{false, true} {
		now := fitAndEvaluate(t, als.ALS{}, fit, valid, shuffle)
		was := fitAndEvaluate(t, old, fit, valid, shuffle)
		t.Logf("shuffled %v: defaults HR@10 %.4f NDCG@10 %.4f, old %.4f / %.4f", shuffle, now.HR, now.NDCG, was.HR, was.NDCG)
		slack := 0.0
		if shuffle {
			slack = 0.005
		}
		if now.HR <= was.HR-slack || now.NDCG <= was.NDCG {
			t.Errorf("shuffled %v: defaults %.4f / %.4f do not beat the old %.4f / %.4f", shuffle, now.HR, now.NDCG, was.HR, was.NDCG)
		}
	}
}

// fitAndEvaluate fits a on train and returns its LLO metrics at 10 on test,
// with each scored history shuffled within equal timestamps if asked.
func fitAndEvaluate(t *testing.T, a als.ALS, train *trainer.Dataset, test []trainer.Holdout, shuffle bool) trainer.Metrics {
	t.Helper()
	c, err := a.Fit(context.Background(), train, fitConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	var r trainer.Recommender = trainer.ComponentRecommender{C: c, Items: len(train.Items)}
	if shuffle {
		r = tieShuffler{r}
	}
	m, err := trainer.Evaluate(context.Background(), r, train, test, []int{10}, 2)
	if err != nil {
		t.Fatal(err)
	}
	return m[0]
}

// tieShuffler permutes each run of equal timestamps of a history (seeded by
// its length and first item, so runs are reproducible) before recommending.
type tieShuffler struct{ r trainer.Recommender }

func (s tieShuffler) Recommend(h []trainer.Event, n int, exclude []int32) []int32 {
	h = slices.Clone(h)
	var rng *rand.Rand
	if len(h) > 0 {
		rng = rand.New(rand.NewPCG(uint64(len(h)), uint64(h[0].Item)))
	}
	for lo := 0; lo < len(h); {
		hi := lo + 1
		for hi < len(h) && h[hi].Time == h[lo].Time {
			hi++
		}
		run := h[lo:hi]
		rng.Shuffle(len(run), func(i, j int) { run[i], run[j] = run[j], run[i] })
		lo = hi
	}
	return s.r.Recommend(h, n, exclude)
}

func BenchmarkALSFitOnlineRetail(b *testing.B) {
	train, _ := trainer.SplitLastOut(loadRetail(b))
	for _, threads := range []int{1, 2} {
		b.Run(threadsName(threads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := (als.ALS{}).Fit(context.Background(), train, fitConfig(threads)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkALSScoreOnlineRetail(b *testing.B) {
	train, test := trainer.SplitLastOut(loadRetail(b))
	c, err := als.ALS{}.Fit(context.Background(), train, fitConfig(2))
	if err != nil {
		b.Fatal(err)
	}
	scores := make([]float32, len(train.Items))
	b.ReportAllocs()
	k := 0
	for b.Loop() { // fold-in from a real history, then every item scored
		c.Score(train.Seqs[test[k%len(test)].User], scores)
		k++
	}
}

func threadsName(n int) string { return "threads=" + string(rune('0'+n)) }
