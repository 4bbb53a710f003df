package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// BlendConfig tunes TuneBlend.
type BlendConfig struct {
	// K is the cut-off of the tuned metric, NDCG@K. Default: 10.
	K int
	// Candidates is how many of each part's best items per user are
	// re-ranked. An item outside every part's top Candidates can only enter
	// the blend's top K by summing several near-misses, so the search ranks
	// within the union of the parts' lists plus the held-out item. Default:
	// 100.
	Candidates int
	// Grid holds the weights tried for each part, relative to the others.
	// Default: 0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 1, 1.4, 2, 3, 5.
	Grid []float64
	// Passes of coordinate search over the parts. Default: 3.
	Passes int
	// Threads scores users in parallel. Default: runtime.GOMAXPROCS(0).
	Threads int
}

func (c BlendConfig) withDefaults() BlendConfig {
	if c.K == 0 {
		c.K = 10
	}
	if c.Candidates == 0 {
		c.Candidates = 100
	}
	if len(c.Grid) == 0 {
		c.Grid = []float64{0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 1, 1.4, 2, 3, 5}
	}
	if c.Passes == 0 {
		c.Passes = 3
	}
	return c
}

// Validate reports a configuration TuneBlend cannot use.
func (c BlendConfig) Validate() error {
	var errs []error
	if c.K < 0 || c.Candidates < 0 || c.Passes < 0 {
		errs = append(errs, fmt.Errorf("blend: K, Candidates and Passes must not be negative"))
	}
	if c.Candidates > 0 && c.Candidates < c.K {
		errs = append(errs, fmt.Errorf("blend: Candidates (%d) must be at least K (%d)", c.Candidates, c.K))
	}
	for _, w := range c.Grid {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			errs = append(errs, fmt.Errorf("blend: grid weight %v is not a finite non-negative number", w))
		}
	}
	return errors.Join(errs...)
}

// TuneBlend searches the weights of parts, fitted on train, that maximize
// NDCG@K of the blend (Snapshot.Blend: each part max-normalized, weighted,
// summed) on the held-out items valid, ranking like Evaluate: every training
// item except the user's own training items. It returns one weight per part,
// summing to 1, and the blend's metrics at K on valid.
//
// Carve valid from the training data (e.g. SplitLastOut(train)), fit the
// parts on the rest, tune, then refit on all training data with the weights:
// tuning on the final test split would overstate the result. The search is
// coordinate ascent over Grid, starting from equal weights, ranking within
// each user's candidates (see BlendConfig.Candidates); a weight changes only
// when NDCG strictly improves, so the search is deterministic.
func TuneBlend(ctx context.Context, parts []Part, train *Dataset, valid []Holdout, cfg BlendConfig) ([]float64, Metrics, error) {
	if err := cfg.Validate(); err != nil {
		return nil, Metrics{}, err
	}
	cfg = cfg.withDefaults()
	if len(parts) == 0 {
		return nil, Metrics{}, errors.New("blend: no parts")
	}
	cases, err := blendCases(ctx, parts, train, valid, cfg)
	if err != nil {
		return nil, Metrics{}, err
	}
	w := make([]float64, len(parts))
	for k := range w {
		w[k] = 1
	}
	best := blendNDCG(cases, w, cfg.K)
	for range cfg.Passes {
		improved := false
		for p := range parts {
			if err := ctx.Err(); err != nil {
				return nil, Metrics{}, err
			}
			keep := w[p]
			for _, g := range cfg.Grid {
				w[p] = g
				if s := blendNDCG(cases, w, cfg.K); s > best+1e-12 {
					best, keep, improved = s, g, true
				}
			}
			w[p] = keep
		}
		if !improved {
			break
		}
	}
	normalize(w)
	return w, blendMetrics(cases, w, cfg.K, len(valid), train), nil
}

func normalize(w []float64) {
	var sum float64
	for _, v := range w {
		sum += v
	}
	if sum <= 0 {
		for k := range w {
			w[k] = 1 / float64(len(w))
		}
		return
	}
	for k := range w {
		w[k] /= sum
	}
}

// blendCase is one held-out user's candidates: items and, per part, their
// max-normalized scores (parts × items, row-major); target is the index of
// the held-out item among them, or -1 when it cannot be ranked at all.
type blendCase struct {
	items  []int32
	scores []float32
	target int
}

// blendCases scores every holdout with every part once.
func blendCases(ctx context.Context, parts []Part, train *Dataset, valid []Holdout, cfg BlendConfig) ([]blendCase, error) {
	inTrain, _ := trainItems(train)
	n := len(train.Items)
	cases := make([]blendCase, len(valid))
	err := parallel(ctx, len(valid), cfg.Threads, func(k int) {
		h := train.Seqs[valid[k].User]
		excluded := slices.Clone(inTrain)
		for it := range excluded {
			excluded[it] = !excluded[it]
		}
		for _, e := range h {
			excluded[e.Item] = true
		}
		cases[k] = blendCaseOf(parts, h, valid[k].Item, excluded, n, cfg.Candidates)
	})
	return cases, err
}

func blendCaseOf(parts []Part, h []Event, target int32, excluded []bool, n, m int) blendCase {
	all := make([][]float32, len(parts))
	masked := make([]float32, n)
	var cand []int32
	for p, part := range parts {
		s := make([]float32, n)
		part.Component.Score(h, s)
		normalizeMax(s)
		for it, v := range s {
			masked[it] = v
			if excluded[it] {
				masked[it] = float32(math.Inf(-1))
			}
		}
		for _, t := range TopN(masked, m) {
			cand = append(cand, t.Item)
		}
		all[p] = s
	}
	if !excluded[target] {
		cand = append(cand, target)
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	c := blendCase{items: cand, scores: make([]float32, len(parts)*len(cand)), target: -1}
	for j, it := range cand {
		if it == target {
			c.target = j
		}
		for p := range parts {
			c.scores[p*len(cand)+j] = all[p][it]
		}
	}
	return c
}

// normalizeMax divides s by its maximum, as Snapshot.Blend does, or zeroes
// it when the maximum is not positive (Snapshot.Blend skips such a part).
func normalizeMax(s []float32) {
	var top float32
	for _, v := range s {
		top = max(top, v)
	}
	if top <= 0 {
		clear(s)
		return
	}
	for k := range s {
		s[k] /= top
	}
}

// fill writes the blend of the candidates with weights w into blend.
func (c *blendCase) fill(w []float64, blend []float32) []float32 {
	n := len(c.items)
	blend = blend[:n]
	clear(blend)
	for p, wp := range w {
		if wp == 0 {
			continue
		}
		for j, v := range c.scores[p*n : (p+1)*n] {
			blend[j] += float32(wp) * v
		}
	}
	return blend
}

// rank returns the 1-based rank of the target in blend (ties: lower item id
// first, as TopN), or 0 if the target cannot be ranked.
func (c *blendCase) rank(blend []float32) int {
	if c.target < 0 {
		return 0
	}
	t, r := blend[c.target], 1
	for j, v := range blend {
		if v > t || v == t && j < c.target {
			r++
		}
	}
	return r
}

func blendNDCG(cases []blendCase, w []float64, k int) float64 {
	buf := make([]float32, maxItems(cases))
	var sum float64
	for i := range cases {
		c := &cases[i]
		if r := c.rank(c.fill(w, buf)); r > 0 && r <= k {
			sum += 1 / math.Log2(float64(r)+1)
		}
	}
	return sum / float64(max(len(cases), 1))
}

func maxItems(cases []blendCase) int {
	n := 0
	for _, c := range cases {
		n = max(n, len(c.items))
	}
	return n
}

// blendMetrics computes HR, NDCG, MRR and coverage at k of the blend.
func blendMetrics(cases []blendCase, w []float64, k, users int, train *Dataset) Metrics {
	buf := make([]float32, maxItems(cases))
	ranks := make([]int, len(cases))
	lists := make([][]int32, len(cases))
	for i := range cases {
		c := &cases[i]
		blend := c.fill(w, buf)
		ranks[i] = c.rank(blend)
		for _, t := range TopN(blend, k) {
			lists[i] = append(lists[i], c.items[t.Item])
		}
	}
	_, nItems := trainItems(train)
	m := metricsAt(k, ranks, lists, nItems)
	m.Users = users
	return m
}
