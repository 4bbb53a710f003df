package eval

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// log builds 30 users with 10 items each at times 0..9 (in hours), user u's
// item j named i<(u+j)%25>.
func log() *trainer.Dataset {
	b := trainer.NewBuilder()
	for u := 0; u < 30; u++ {
		for j := 0; j < 10; j++ {
			b.AddMillis(fmt.Sprintf("u%d", u), fmt.Sprintf("i%d", (u+j)%25), schemas.Purchase, int64(j)*3_600_000)
		}
	}
	return b.Build()
}

func TestRandomSplitHoldsOutAFifthOfEachUserDeterministically(t *testing.T) {
	d := log()
	a, b, c := SplitRandom(d, 0.2, 1), SplitRandom(d, 0.2, 1), SplitRandom(d, 0.2, 2)
	if !reflect.DeepEqual(a.Test, b.Test) || !reflect.DeepEqual(a.Train.Seqs, b.Train.Seqs) {
		t.Error("two random splits with one seed differ")
	}
	if reflect.DeepEqual(a.Test, c.Test) {
		t.Error("random splits with seeds 1 and 2 are equal")
	}
	held := 0
	for _, tc := range a.Test {
		held += len(tc.Relevant)
		for _, e := range a.Train.Seqs[tc.User] {
			if slices.Contains(tc.Relevant, e.Item) {
				t.Errorf("user %d: held-out item %d is also in training", tc.User, e.Item)
			}
		}
		if n := len(tc.Relevant) + len(a.Train.Seqs[tc.User]); n != 10 {
			t.Errorf("user %d: %d items after the split, want 10", tc.User, n)
		}
	}
	if held > 60 || held < 50 { // 2 of 10 per user, minus held-out items nobody trained on
		t.Errorf("held out %d items, want about 60", held)
	}
}

func TestTemporalSplitTestsOnlyLaterNewItemsOfKnownUsers(t *testing.T) {
	d := log()
	cut := int64(8 * 3_600_000) // the last two hours are test
	s := SplitTemporal(d, cut, 0)
	if len(s.Test) == 0 {
		t.Fatal("no test users")
	}
	for u, seq := range s.Train.Seqs {
		for _, e := range seq {
			if e.Time >= cut {
				t.Fatalf("user %d trains on an event at %d ≥ cut", u, e.Time)
			}
		}
	}
	for _, tc := range s.Test {
		if len(tc.Relevant) != 2 {
			t.Errorf("user %d: %d relevant items, want 2", tc.User, len(tc.Relevant))
		}
	}
	if q := SplitTemporal(d, 0, 0.2); !reflect.DeepEqual(q.Test, s.Test) {
		t.Error("the 80% time quantile should cut at hour 8 here")
	}
}

func TestLLOSplitMatchesTrainerEvaluate(t *testing.T) {
	d := log()
	s := SplitLLO(d)
	train, test := trainer.SplitLastOut(d)
	if len(s.Test) != len(test) || !reflect.DeepEqual(s.Train.Seqs, train.Seqs) {
		t.Fatal("SplitLLO differs from trainer.SplitLastOut")
	}
}
