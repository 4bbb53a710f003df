package eval

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/recsys/recsys/trainer"
)

// Protocol names a train/test split of docs/EVALUATION.md.
type Protocol string

// The protocols.
const (
	// LLO holds out each user's last distinct item (ties: the larger item id).
	LLO Protocol = "llo"
	// Temporal holds out every interaction at or after a time cut.
	Temporal Protocol = "temporal"
	// Random holds out a seeded random fraction of each user's items.
	Random Protocol = "random"
	// Explicit splits ratings at random and scores predicted ratings.
	Explicit Protocol = "exp"
)

// Case is one test user and the items they are expected to choose.
type Case struct {
	User     int32
	Relevant []int32
}

// Split is a training set and the test cases ranked against it.
type Split struct {
	Train *trainer.Dataset
	Test  []Case
}

// SplitLLO is protocol LLO (trainer.SplitLastOut).
func SplitLLO(d *trainer.Dataset) Split {
	train, test := trainer.SplitLastOut(d)
	cases := make([]Case, len(test))
	for k, h := range test {
		cases[k] = Case{User: h.User, Relevant: []int32{h.Item}}
	}
	return Split{Train: train, Test: cases}
}

// SplitTemporal trains on every event before cut (Unix ms) and tests each
// user who has training history on the distinct items they interacted with
// from cut on, leaving out items they already had in training (those are
// never recommended to them) and items absent from training (no model can
// rank them). cut <= 0 picks the time that leaves frac of all events after
// it.
func SplitTemporal(d *trainer.Dataset, cut int64, frac float64) Split {
	if cut <= 0 {
		cut = quantileTime(d, 1-frac)
	}
	train := make([][]trainer.Event, len(d.Seqs))
	later := make([][]trainer.Event, len(d.Seqs))
	for u, s := range d.Seqs {
		k, _ := slices.BinarySearchFunc(s, cut, func(e trainer.Event, t int64) int { return cmp.Compare(e.Time, t) })
		train[u], later[u] = s[:k:k], s[k:]
	}
	return heldOut(d.WithSeqs(train), later)
}

// SplitRandom holds out round(frac·n) (at least 1) of the n distinct items of
// each user with at least two, chosen by a generator seeded with seed and
// the user id, so a user's split does not depend on the others. A held-out
// pair leaves training entirely (all its events).
func SplitRandom(d *trainer.Dataset, frac float64, seed uint64) Split {
	train := make([][]trainer.Event, len(d.Seqs))
	later := make([][]trainer.Event, len(d.Seqs))
	for u, s := range d.Seqs {
		items := distinctItems(s)
		if len(items) < 2 {
			train[u] = s
			continue
		}
		rng := rand.New(rand.NewPCG(seed, stringHash(d.Users[u])))
		rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		n := min(max(int(math.Round(frac*float64(len(items)))), 1), len(items)-1)
		out := items[:n]
		slices.Sort(out)
		for _, e := range s {
			if _, found := slices.BinarySearch(out, e.Item); found {
				later[u] = append(later[u], e)
			} else {
				train[u] = append(train[u], e)
			}
		}
	}
	return heldOut(d.WithSeqs(train), later)
}

// heldOut turns each user's held-out events into a Case against train.
func heldOut(train *trainer.Dataset, later [][]trainer.Event) Split {
	inTrain := make([]bool, len(train.Items))
	for _, s := range train.Seqs {
		for _, e := range s {
			inTrain[e.Item] = true
		}
	}
	var cases []Case
	for u, s := range later {
		if len(train.Seqs[u]) == 0 {
			continue
		}
		own := distinctItems(train.Seqs[u])
		var rel []int32
		for _, it := range distinctItems(s) {
			if inTrain[it] && !slices.Contains(own, it) {
				rel = append(rel, it)
			}
		}
		if len(rel) > 0 {
			cases = append(cases, Case{User: int32(u), Relevant: rel})
		}
	}
	return Split{Train: train, Test: cases}
}

// distinctItems returns the items of s, ascending, once each.
func distinctItems(s []trainer.Event) []int32 {
	items := make([]int32, len(s))
	for k, e := range s {
		items[k] = e.Item
	}
	slices.Sort(items)
	return slices.Compact(items)
}

// quantileTime returns the event time below which a fraction q of events lie.
func quantileTime(d *trainer.Dataset, q float64) int64 {
	var ts []int64
	for _, s := range d.Seqs {
		for _, e := range s {
			ts = append(ts, e.Time)
		}
	}
	if len(ts) == 0 {
		return 0
	}
	slices.Sort(ts)
	return ts[min(int(q*float64(len(ts))), len(ts)-1)]
}

// stringHash is FNV-1a: stable across runs and platforms.
func stringHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for k := 0; k < len(s); k++ {
		h = (h ^ uint64(s[k])) * 1099511628211
	}
	return h
}

// Describe summarises a split for reports.
func (s Split) Describe() string {
	n := 0
	for _, c := range s.Test {
		n += len(c.Relevant)
	}
	return fmt.Sprintf("%d training events, %d test users, %d held-out items", s.Train.NumEvents(), len(s.Test), n)
}
