package eval_test

import (
	"math"
	"testing"

	"github.com/recsys/recsys/trainer/datasets"
	"github.com/recsys/recsys/trainer/eval"
)

func group(labels ...bool) datasets.SLIGroup {
	g := datasets.SLIGroup{Labels: labels}
	for range labels {
		g.Items = append(g.Items, "x")
		g.Cats = append(g.Cats, "c")
	}
	return g
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestSLIMetricsMatchHandComputedValues: group 1 ranks its positive first;
// group 2 has one negative above the positive and one tied with it.
func TestSLIMetricsMatchHandComputedValues(t *testing.T) {
	groups := []datasets.SLIGroup{group(true, false, false), group(true, false, false, false)}
	scores := [][]float64{{0.9, 0.5, 0.1}, {0.4, 0.8, 0.4, 0.1}}
	m := eval.ScoreSLI(groups, scores)
	want := eval.SLIMetrics{
		Groups: 2,
		// Pooled: positive 0.9 beats all 5 negatives; 0.4 beats two, ties one.
		AUC: (5 + 2.5) / 10,
		// Group 2: (3 negatives - 1 above - ½ tie) / 3.
		GroupAUC: (1 + 0.5) / 2,
		// Group 2's positive ranks 3rd: ties count against it.
		MeanMRR: (1 + 1.0/3) / 2,
		NDCG2:   (1.0 + 0) / 2,
		NDCG4:   (1 + 1/math.Log2(4)) / 2,
		NDCG6:   (1 + 1/math.Log2(4)) / 2,
	}
	if m.Groups != want.Groups || !near(m.AUC, want.AUC) || !near(m.GroupAUC, want.GroupAUC) || !near(m.MeanMRR, want.MeanMRR) ||
		!near(m.NDCG2, want.NDCG2) || !near(m.NDCG4, want.NDCG4) || !near(m.NDCG6, want.NDCG6) {
		t.Errorf("ScoreSLI = %+v\nwant       %+v", m, want)
	}
}

// TestPooledAUCMatchesSklearnsExample: roc_auc_score([0,0,1,1],
// [0.1,0.4,0.35,0.8]) = 0.75, here as two groups.
func TestPooledAUCMatchesSklearnsExample(t *testing.T) {
	m := eval.ScoreSLI([]datasets.SLIGroup{group(true, false), group(true, false)}, [][]float64{{0.35, 0.1}, {0.8, 0.4}})
	if !near(m.AUC, 0.75) {
		t.Errorf("AUC = %v, want 0.75", m.AUC)
	}
}

func TestMixAddsWeightedSharesAndTheCategoryBonus(t *testing.T) {
	g := group(true, false)
	g.Cats = []string{"a", "b"}
	g.HistCats = []string{"b", "a"}
	shares := [][][]float64{{{0.2, 0.4}}, {{0.6, 0.0}}}
	got := eval.Mix(shares, []float64{0.5, 0.5}, []datasets.SLIGroup{g}, 0)
	if !near(got[0][0], 0.4) || !near(got[0][1], 0.2) {
		t.Errorf("Mix = %v, want [[0.4 0.2]]", got)
	}
	got = eval.Mix(shares, []float64{0.5, 0.5}, []datasets.SLIGroup{g}, math.Log(3))
	if !near(got[0][0], 1.2) || !near(got[0][1], 0.2) {
		t.Errorf("Mix with category = %v, want [[1.2 0.2]] (the last history category is a)", got)
	}
}

func TestSLIRecIsBeatenOnlyOnAllSixNumbers(t *testing.T) {
	ref := eval.SLIRec()
	better := eval.SLIMetrics{AUC: 0.9, GroupAUC: 0.95, MeanMRR: 0.8, NDCG2: 0.8, NDCG4: 0.85, NDCG6: 0.85}
	if !better.Beats(ref) {
		t.Error("a better row does not beat SLi-Rec")
	}
	better.NDCG6 = 0.8
	if better.Beats(ref) {
		t.Error("a row below SLi-Rec's ndcg@6 beats it")
	}
}
