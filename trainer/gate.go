package trainer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// verdict is the promotion gate's decision.
type verdict struct {
	promote bool
	reason  string
	current string
	metrics map[string]float64
}

// minFresh is the fewest holdout users unseen by the current model for a fair
// comparison; with fewer, the current model is kept.
const minFresh = 20

// gate fits a candidate on all but each user's last item and compares its
// NDCG@10 on those held-out items with popularity and the current model.
// Only events after the current model's window are unseen by it, so the
// comparison uses holdout users whose last event is newer than that window;
// with too few of them there is nothing new to judge and nothing is promoted.
func (s *Stage) gate(ctx context.Context, d *Dataset) (verdict, error) {
	v := verdict{metrics: map[string]float64{}}
	cur, err := s.loadCurrent(ctx)
	if err != nil {
		return v, err
	}
	if cur != nil {
		v.current = cur.Version()
	}
	train, test := SplitLastOut(d)
	if len(test) == 0 {
		v.promote, v.reason = cur == nil, "no holdout users: promoting only a first model"
		return v, nil
	}
	if cur != nil {
		if test = freshHoldouts(d, test, cur.Update.WindowEnd.UnixMilli()); len(test) < minFresh {
			v.reason = fmt.Sprintf("only %d holdout users are newer than %s's window: not enough new data to judge; keeping it", len(test), v.current)
			return v, nil
		}
	}
	if s.cfg.TuneBlend {
		if err := s.tune(ctx, withoutHoldouts(d, test), v.metrics); err != nil {
			return v, err
		}
	}
	parts, err := s.fit(ctx, withoutHoldouts(d, test))
	if err != nil {
		return v, err
	}
	cand := NewSnapshot(schemas.ModelUpdate{}, d.Items, parts)
	if v.metrics["holdout_ndcg@10"], v.metrics["holdout_hr@10"], err = s.score(ctx, cand, train, test); err != nil {
		return v, err
	}
	v.metrics["holdout_users"] = float64(len(test))
	if err := s.scorePopularity(ctx, train, test, v.metrics); err != nil {
		return v, err
	}
	return s.decide(ctx, v, cur, train, test)
}

func (s *Stage) decide(ctx context.Context, v verdict, cur *Snapshot, train *Dataset, test []Holdout) (verdict, error) {
	cand := v.metrics["holdout_ndcg@10"]
	if cur == nil {
		v.promote, v.reason = true, fmt.Sprintf("first model (NDCG@10 %.4f, popularity %.4f)", cand, v.metrics["popularity_ndcg@10"])
		return v, nil
	}
	curNDCG, _, err := s.score(ctx, vocabRecommender{cur, train}, train, test)
	if err != nil {
		return v, err
	}
	v.metrics["current_ndcg@10"] = curNDCG
	v.promote = cand >= curNDCG*(1-s.cfg.Tolerance)
	verb := "promoted"
	if !v.promote {
		verb = "rejected"
	}
	v.reason = fmt.Sprintf("%s: NDCG@10 candidate %.4f vs current %s %.4f (tolerance %.0f%%), popularity %.4f, %d holdout users",
		verb, cand, cur.Version(), curNDCG, 100*s.cfg.Tolerance, v.metrics["popularity_ndcg@10"], len(test))
	return v, nil
}

func (s *Stage) score(ctx context.Context, r Recommender, train *Dataset, test []Holdout) (ndcg, hr float64, err error) {
	m, err := Evaluate(ctx, r, train, test, []int{10}, s.cfg.Threads)
	if err != nil {
		return 0, 0, fmt.Errorf("evaluating: %w", err)
	}
	return m[0].NDCG, m[0].HR, nil
}

func (s *Stage) scorePopularity(ctx context.Context, train *Dataset, test []Holdout, metrics map[string]float64) error {
	pop, err := Popularity{}.Fit(ctx, train, FitConfig{Weights: s.cfg.Weights})
	if err != nil {
		return err
	}
	metrics["popularity_ndcg@10"], metrics["popularity_hr@10"], err = s.score(ctx, ComponentRecommender{C: pop, Items: len(train.Items)}, train, test)
	return err
}

func (s *Stage) loadCurrent(ctx context.Context) (*Snapshot, error) {
	version, err := s.store.CurrentVersion(ctx, s.cfg.Name)
	if errors.Is(err, features.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	blob, _, err := s.store.LoadModel(ctx, s.cfg.Name, version)
	if err != nil {
		return nil, err
	}
	snap, err := DecodeSnapshot(blob, s.reg)
	if err != nil {
		return nil, fmt.Errorf("decoding current model %s: %w", version, err)
	}
	return snap, nil
}

// withoutHoldouts is d minus every event of each held-out (user, item) pair,
// with order, repeats and event types intact: the candidate trains on what
// the served model will see, not on the protocol's collapsed pairs.
func withoutHoldouts(d *Dataset, test []Holdout) *Dataset {
	seqs := slices.Clone(d.Seqs)
	for _, h := range test {
		seqs[h.User] = slices.DeleteFunc(slices.Clone(seqs[h.User]), func(e Event) bool { return e.Item == h.Item })
	}
	return d.WithSeqs(seqs)
}

// freshHoldouts keeps holdouts the current model cannot have seen: the user's
// every interaction with the held-out item is newer than ms.
func freshHoldouts(d *Dataset, test []Holdout, ms int64) []Holdout {
	var fresh []Holdout
	for _, h := range test {
		seen := false
		for _, e := range d.Seqs[h.User] {
			if e.Item == h.Item && e.Time <= ms {
				seen = true
				break
			}
		}
		if !seen {
			fresh = append(fresh, h)
		}
	}
	return fresh
}

// vocabRecommender evaluates a snapshot with its own item vocabulary on a
// dataset with another one.
type vocabRecommender struct {
	snap *Snapshot
	d    *Dataset
}

func (v vocabRecommender) Recommend(h []Event, n int, exclude []int32) []int32 {
	hs := make([]Event, 0, len(h))
	for _, e := range h {
		if id, ok := v.snap.index[v.d.Items[e.Item]]; ok {
			hs = append(hs, Event{Item: id, Type: e.Type, Time: e.Time})
		}
	}
	ex := make([]int32, 0, len(exclude))
	for _, it := range exclude {
		if id, ok := v.snap.index[v.d.Items[it]]; ok {
			ex = append(ex, id)
		}
	}
	var out []int32
	for _, it := range v.snap.Recommend(hs, n, ex) {
		if id, ok := v.d.ItemID(v.snap.Items[it]); ok {
			out = append(out, id)
		}
	}
	return out
}
