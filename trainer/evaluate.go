package trainer

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
)

// Holdout is one test user's held-out item.
type Holdout struct {
	User int32
	Item int32
}

// CompareItems is the tie rule of the leave-last-one-out protocol: integers
// compare numerically, other ids as strings, and every integer orders before
// every non-integer. (A plain "numeric if both are integers, else string"
// rule is not a total order: 9 < 10 < "1A" < 9. This one is, and it
// reproduces EVALUATION.md's counts on Online Retail: 3,657 training items,
// popularity HR@10 0.053.)
func CompareItems(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(x, y)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return cmp.Compare(a, b)
}

// SplitLastOut is protocol LLO of EVALUATION.md: duplicate (user, item) pairs
// collapse to the latest one; each user with at least two items holds out the
// last by time (ties: the larger item id); the rest, in (time, item) order, is
// training.
func SplitLastOut(d *Dataset) (*Dataset, []Holdout) {
	train := make([][]Event, len(d.Seqs))
	var test []Holdout
	for u, s := range d.Seqs {
		seq := collapse(s)
		slices.SortStableFunc(seq, func(x, y Event) int {
			if c := cmp.Compare(x.Time, y.Time); c != 0 {
				return c
			}
			return CompareItems(d.Items[x.Item], d.Items[y.Item])
		})
		if len(seq) >= 2 {
			test = append(test, Holdout{User: int32(u), Item: seq[len(seq)-1].Item})
			seq = seq[:len(seq)-1]
		}
		train[u] = seq
	}
	return d.WithSeqs(train), test
}

// collapse keeps one event per item: the latest (last in time order).
func collapse(s []Event) []Event {
	last := make(map[int32]int, len(s))
	for k, e := range s {
		last[e.Item] = k
	}
	out := make([]Event, 0, len(last))
	for k, e := range s {
		if last[e.Item] == k {
			out = append(out, e)
		}
	}
	return out
}

// Recommender ranks items for one user's history, never returning an item of
// exclude. Implementations must be safe for concurrent use.
type Recommender interface {
	Recommend(h []Event, n int, exclude []int32) []int32
}

// ComponentRecommender ranks by one component's scores.
type ComponentRecommender struct {
	C     Component
	Items int
}

// Recommend implements Recommender.
func (r ComponentRecommender) Recommend(h []Event, n int, exclude []int32) []int32 {
	scores := make([]float32, r.Items)
	r.C.Score(h, scores)
	Mask(scores, exclude)
	return itemsOf(TopN(scores, n))
}

// Recommend implements Recommender with the snapshot's blend.
func (s *Snapshot) Recommend(h []Event, n int, exclude []int32) []int32 {
	blend, part := make([]float32, len(s.Items)), make([]float32, len(s.Items))
	s.Blend(h, blend, part)
	Mask(blend, exclude)
	return itemsOf(TopN(blend, n))
}

func itemsOf(top []Scored) []int32 {
	out := make([]int32, len(top))
	for k, t := range top {
		out[k] = t.Item
	}
	return out
}

// Metrics are ranking metrics at one cut-off K, averaged over test users (a
// user with no list counts as a miss).
type Metrics struct {
	K        int
	Users    int
	HR       float64 // held-out item in the top K
	NDCG     float64 // 1/log2(rank+1)
	MRR      float64 // 1/rank
	Coverage float64 // distinct recommended items / training items
	// With one held-out item per user (LLO) these three follow from HR and
	// MRR; trainer/eval computes them for several relevant items per user.
	Precision float64 // hits / K
	Recall    float64 // hits / relevant items
	MAP       float64 // mean average precision at K
}

// Evaluate ranks every training item except the user's own training items for
// each holdout and scores the lists at each K in ks.
func Evaluate(ctx context.Context, r Recommender, train *Dataset, test []Holdout, ks []int, threads int) ([]Metrics, error) {
	maxK := slices.Max(ks)
	inTrain, nItems := trainItems(train)
	var never []int32 // items absent from training are not candidates
	for it, ok := range inTrain {
		if !ok {
			never = append(never, int32(it))
		}
	}
	ranks := make([]int, len(test)) // 0 = not in the top maxK
	lists := make([][]int32, len(test))
	err := parallel(ctx, len(test), threads, func(k int) {
		h := train.Seqs[test[k].User]
		exclude := make([]int32, len(h), len(h)+len(never))
		for j, e := range h {
			exclude[j] = e.Item
		}
		exclude = append(exclude, never...)
		lists[k] = r.Recommend(h, maxK, exclude)
		if pos := slices.Index(lists[k], test[k].Item); pos >= 0 {
			ranks[k] = pos + 1
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Metrics, len(ks))
	for j, K := range ks {
		out[j] = metricsAt(K, ranks, lists, nItems)
	}
	return out, nil
}

func metricsAt(K int, ranks []int, lists [][]int32, nItems int) Metrics {
	m := Metrics{K: K, Users: len(ranks)}
	seen := map[int32]bool{}
	for k, r := range ranks {
		for _, it := range lists[k][:min(K, len(lists[k]))] {
			seen[it] = true
		}
		if r == 0 || r > K {
			continue
		}
		m.HR++
		m.NDCG += 1 / math.Log2(float64(r)+1)
		m.MRR += 1 / float64(r)
	}
	if n := float64(len(ranks)); n > 0 {
		m.HR, m.NDCG, m.MRR = m.HR/n, m.NDCG/n, m.MRR/n
	}
	m.Precision, m.Recall, m.MAP = m.HR/float64(K), m.HR, m.MRR
	if nItems > 0 {
		m.Coverage = float64(len(seen)) / float64(nItems)
	}
	return m
}

// trainItems marks the items that occur in training and counts them.
func trainItems(d *Dataset) ([]bool, int) {
	seen := make([]bool, len(d.Items))
	n := 0
	for _, s := range d.Seqs {
		for _, e := range s {
			if !seen[e.Item] {
				seen[e.Item] = true
				n++
			}
		}
	}
	return seen, n
}

// parallel runs fn(0..n-1) on threads goroutines, stopping early on cancel.
func parallel(ctx context.Context, n, threads int, fn func(int)) error {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				fn(k)
			}
		}()
	}
	var err error
	for k := 0; k < n; k++ {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	return err
}
