package explicit_test

import (
	"os"
	"testing"

	"github.com/recsys/recsys/trainer/datasets"
	"github.com/recsys/recsys/trainer/explicit"
)

const mlPath = "../../../shared/data/ml-latest-small/ratings.csv"

func loadML(t testing.TB) *explicit.Ratings {
	t.Helper()
	if _, err := os.Stat(mlPath); err != nil {
		t.Skipf("ml-latest-small not present at %s (evaluation data lives outside the repo)", mlPath)
	}
	f, err := datasets.Open(mlPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := datasets.MovieLens(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
