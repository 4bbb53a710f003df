package datasets_test

import (
	"context"
	"os"
	"testing"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/datasets"
)

const retailPath = "../../../shared/data/online-retail/online_retail.csv.gz"

func loadRetail(t testing.TB) *trainer.Dataset {
	t.Helper()
	if _, err := os.Stat(retailPath); err != nil {
		t.Skipf("Online Retail not present at %s (evaluation data lives outside the repo)", retailPath)
	}
	f, err := datasets.Open(retailPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := datasets.OnlineRetail(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestOnlineRetailMatchesTheProtocolCounts checks the row filter and the LLO
// split against the counts in EVALUATION.md.
func TestOnlineRetailMatchesTheProtocolCounts(t *testing.T) {
	d := loadRetail(t)
	if n := d.NumEvents(); n != 397924 {
		t.Errorf("rows = %d, want 397,924", n)
	}
	if len(d.Users) != 4339 || len(d.Items) != 3665 {
		t.Errorf("users, items = %d, %d; want 4,339 and 3,665", len(d.Users), len(d.Items))
	}
	train, test := trainer.SplitLastOut(d)
	if len(test) != 4247 {
		t.Errorf("test users = %d, want 4,247", len(test))
	}
	items := map[int32]bool{}
	pairs := len(test)
	for _, s := range train.Seqs {
		pairs += len(s)
		for _, e := range s {
			items[e.Item] = true
		}
	}
	if pairs != 266802 || len(items) != 3657 {
		t.Errorf("distinct pairs = %d, training items = %d; want 266,802 and 3,657", pairs, len(items))
	}
	pop, err := trainer.Popularity{}.Fit(context.Background(), train, trainer.FitConfig{Weights: weights()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := trainer.Evaluate(context.Background(), trainer.ComponentRecommender{C: pop, Items: len(d.Items)}, train, test, []int{10}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// EVALUATION.md measured popularity at HR@10 0.053, NDCG@10 0.021.
	if m[0].HR < 0.045 || m[0].HR > 0.06 || m[0].NDCG < 0.017 || m[0].NDCG > 0.025 {
		t.Errorf("popularity HR@10 %.3f NDCG@10 %.3f; want about 0.053 / 0.021", m[0].HR, m[0].NDCG)
	}
	t.Logf("popularity: %+v", m[0])
}

func weights() map[schemas.EventType]float64 { return features.DefaultWeights() }

func TestTransitionsBeatPopularityOnOnlineRetail(t *testing.T) {
	d := loadRetail(t)
	train, test := trainer.SplitLastOut(d)
	c, err := trainer.Transitions{}.Fit(context.Background(), train, trainer.FitConfig{Weights: weights()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := trainer.Evaluate(context.Background(), trainer.ComponentRecommender{C: c, Items: len(d.Items)}, train, test, []int{10}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("transitions: %+v", m[0])
	if m[0].HR < 0.2 {
		t.Errorf("transitions HR@10 = %.3f; an order-aware model should be far above popularity's 0.053", m[0].HR)
	}
}
