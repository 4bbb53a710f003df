package eval

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/mf"
)

// Scorer writes a score for every item into scores (len = items) for one
// test case; higher is better. It must be safe for concurrent use.
type Scorer func(c Case, scores []float32)

// ComponentScorer scores a case with a fitted component from the user's
// training history, as the scorer would from their Redis history.
func ComponentScorer(c trainer.Component, train *trainer.Dataset) Scorer {
	return func(tc Case, scores []float32) { c.Score(train.Seqs[tc.User], scores) }
}

// Rank returns the top n items for every test case: all items are scored,
// the user's own training items and the items absent from training are
// masked, and the best n remain (exact, ties to the lower id). Cases are
// spread over threads goroutines, each with its own score buffer; done, if
// not nil, is advanced once per case for progress reports.
func Rank(ctx context.Context, s Split, score Scorer, n, threads int, done *atomic.Int64) ([][]int32, error) {
	nItems := len(s.Train.Items)
	never := neverTrained(s.Train)
	lists := make([][]int32, len(s.Test))
	bufs := make([][]float32, mf.Threads(threads))
	tops := make([][]trainer.Scored, len(bufs))
	err := mf.For(ctx, len(s.Test), threads, 16, func(w, lo, hi int) {
		if bufs[w] == nil {
			bufs[w], tops[w] = make([]float32, nItems), make([]trainer.Scored, 0, n)
		}
		scores := bufs[w]
		for k := lo; k < hi; k++ {
			score(s.Test[k], scores)
			mask(scores, never)
			for _, e := range s.Train.Seqs[s.Test[k].User] {
				scores[e.Item] = float32(math.Inf(-1))
			}
			tops[w] = trainer.TopNInto(tops[w], scores, n)
			list := make([]int32, len(tops[w]))
			for j, t := range tops[w] {
				list[j] = t.Item
			}
			lists[k] = list
		}
		if done != nil {
			done.Add(int64(hi - lo))
		}
	})
	if err != nil {
		return nil, err
	}
	return lists, nil
}

func mask(scores []float32, items []int32) {
	for _, i := range items {
		scores[i] = float32(math.Inf(-1))
	}
}

// neverTrained lists the items with no training event: not candidates.
func neverTrained(d *trainer.Dataset) []int32 {
	seen := make([]bool, len(d.Items))
	for _, s := range d.Seqs {
		for _, e := range s {
			seen[e.Item] = true
		}
	}
	var out []int32
	for i, ok := range seen {
		if !ok {
			out = append(out, int32(i))
		}
	}
	return out
}

// trainingItems counts the items with at least one training event.
func trainingItems(d *trainer.Dataset) int { return len(d.Items) - len(neverTrained(d)) }
