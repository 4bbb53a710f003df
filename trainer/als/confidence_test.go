package als

import (
	"math"
	"slices"
	"testing"

	"github.com/recsys/recsys/trainer"
)

func TestRecencyBoostsTheNewestDistinctItemsByPosition(t *testing.T) {
	// Items 7, 3, 9, 3 at one timestamp: position, not time, decides; 3's
	// latest occurrence is the newest, 9 is next, 7 third; 5 is not in idx
	// (unknown to the model) and takes no rank.
	h := []trainer.Event{{Item: 7}, {Item: 3}, {Item: 9}, {Item: 5}, {Item: 3}}
	idx := []int32{3, 7, 9}
	got := recency(h, idx, 20, 0.5)
	want := []float32{21, 6, 11} // 1 + 20·0.5^r for r = 0, 2, 1
	if !slices.Equal(got, want) {
		t.Errorf("recency = %v, want %v", got, want)
	}
	if got := recency(h, idx, 0, 0.5); !slices.Equal(got, []float32{1, 1, 1}) {
		t.Errorf("recency without boost = %v, want all 1", got)
	}
	if got := recency(h, idx, 4, 0); !slices.Equal(got, []float32{5, 1, 1}) {
		t.Errorf("recency with decay 0 = %v, want only the newest boosted", got)
	}
}

func TestConfidenceIsLogarithmicUnlessEpsilonIsZero(t *testing.T) {
	for _, tc := range []struct {
		c    confidence
		w    float32
		want float64
	}{
		{confidence{alpha: 2, epsilon: 0}, 3, 7},
		{confidence{alpha: 2, epsilon: 0.5}, 3, 1 + 2*math.Log(7)},
		{confidence{alpha: 0.5, epsilon: 0.3}, 0, 1},
	} {
		if got := tc.c.of(tc.w); math.Abs(float64(got)-tc.want) > 1e-5 {
			t.Errorf("%+v.of(%v) = %v, want %v", tc.c, tc.w, got, tc.want)
		}
	}
}
