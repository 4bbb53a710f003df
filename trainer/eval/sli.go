package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/datasets"
)

// SLI is the sampled 1+9 protocol of the TouK SLi-Rec notebook
// (docs/EVALUATION.md): each group is a user's next item and 9 (test) or 4
// (valid) popularity-drawn negatives, scored with the user's file-order
// history. Its inputs are interactions.tsv and the group files beside it.
const SLI Protocol = "sli"

// The group files of protocol SLI, looked up beside interactions.tsv.
const (
	SLIValidFile = "valid_data_neg4.gz"
	SLITestFile  = "test_data_neg9.gz"
)

// SLIMetrics are protocol SLI's numbers, averaged over Groups.
type SLIMetrics struct {
	Groups                 int
	AUC, GroupAUC, MeanMRR float64
	NDCG2, NDCG4, NDCG6    float64
}

// SLIRec is what the TouK notebook reports for SLi-Rec (its own unseeded run
// of the generator, 10 epochs, with the category feature).
func SLIRec() SLIMetrics {
	return SLIMetrics{AUC: 0.8634, GroupAUC: 0.9165, MeanMRR: 0.7408, NDCG2: 0.7264, NDCG4: 0.7941, NDCG6: 0.8041}
}

// Mean is the average of the six numbers: the objective SLI tunes on.
func (m SLIMetrics) Mean() float64 {
	return (m.AUC + m.GroupAUC + m.MeanMRR + m.NDCG2 + m.NDCG4 + m.NDCG6) / 6
}

// Beats reports whether every number of m is above ref's.
func (m SLIMetrics) Beats(ref SLIMetrics) bool {
	return m.AUC > ref.AUC && m.GroupAUC > ref.GroupAUC && m.MeanMRR > ref.MeanMRR &&
		m.NDCG2 > ref.NDCG2 && m.NDCG4 > ref.NDCG4 && m.NDCG6 > ref.NDCG6
}

// ScoreSLI computes the metrics of scores (one slice per group, aligned with
// the group's candidates). The pooled and per-group AUC count a tie as ½, as
// sklearn's roc_auc_score; MRR and NDCG@k rank the positive after every
// negative it ties with, so ties never flatter a model.
func ScoreSLI(groups []datasets.SLIGroup, scores [][]float64) SLIMetrics {
	m := SLIMetrics{Groups: len(groups)}
	var pooled []labelled
	ndcg := func(rank, cut int) float64 {
		if rank > cut {
			return 0
		}
		return 1 / math.Log2(float64(rank)+1)
	}
	for k, g := range groups {
		pos, s := slices.Index(g.Labels, true), scores[k]
		better, ties := 0, 0
		for j, v := range s {
			pooled = append(pooled, labelled{v, g.Labels[j]})
			switch {
			case j == pos:
			case v > s[pos]:
				better++
			case v == s[pos]:
				ties++
			}
		}
		neg := float64(len(s) - 1)
		m.GroupAUC += (neg - float64(better) - float64(ties)/2) / neg
		rank := 1 + better + ties
		m.MeanMRR += 1 / float64(rank)
		m.NDCG2 += ndcg(rank, 2)
		m.NDCG4 += ndcg(rank, 4)
		m.NDCG6 += ndcg(rank, 6)
	}
	if n := float64(len(groups)); n > 0 {
		m.GroupAUC, m.MeanMRR = m.GroupAUC/n, m.MeanMRR/n
		m.NDCG2, m.NDCG4, m.NDCG6 = m.NDCG2/n, m.NDCG4/n, m.NDCG6/n
	}
	m.AUC = pooledAUC(pooled)
	return m
}

type labelled struct {
	score float64
	pos   bool
}

// pooledAUC is the Mann–Whitney statistic, tied scores sharing their average
// rank.
func pooledAUC(x []labelled) float64 {
	slices.SortFunc(x, func(a, b labelled) int {
		switch {
		case a.score < b.score:
			return -1
		case a.score > b.score:
			return 1
		}
		return 0
	})
	var sumPos, npos float64
	for i := 0; i < len(x); {
		j := i
		for j < len(x) && x[j].score == x[i].score {
			j++
		}
		avg := float64(i+j+1) / 2 // the average of ranks i+1..j
		for _, e := range x[i:j] {
			if e.pos {
				sumPos += avg
				npos++
			}
		}
		i = j
	}
	nneg := float64(len(x)) - npos
	if npos == 0 || nneg == 0 {
		return math.NaN()
	}
	return (sumPos - npos*(npos+1)/2) / (npos * nneg)
}

// SLIShares scores every group's candidates with a fitted component. The
// history is the group's, in file order, as views one millisecond apart
// (unknown items dropped); a candidate's score is its share of the
// component's scores over the whole catalog, a probability-like number that
// puts every user on one scale, as the pooled AUC needs. A candidate unknown
// to d scores 0.
func SLIShares(c trainer.Component, d *trainer.Dataset, groups []datasets.SLIGroup) [][]float64 {
	scores := make([]float32, len(d.Items))
	out := make([][]float64, len(groups))
	for k, g := range groups {
		h := make([]trainer.Event, 0, len(g.Hist))
		for _, it := range g.Hist {
			if id, ok := d.ItemID(it); ok {
				h = append(h, trainer.Event{Item: id, Type: schemas.View, Time: int64(len(h))})
			}
		}
		c.Score(h, scores)
		var sum float64
		for _, v := range scores {
			sum += float64(max(v, 0))
		}
		out[k] = make([]float64, len(g.Items))
		for j, it := range g.Items {
			if id, ok := d.ItemID(it); ok && sum > 0 {
				out[k][j] = float64(max(scores[id], 0)) / sum
			}
		}
	}
	return out
}

// Mix returns Σ w[p]·shares[p] per group and candidate, times
// exp(category·[candidate's category = the last history category]) when
// category is not 0: the category-aware variant, which reads the leaky
// column (see EVALUATION.md) and so is not comparable.
func Mix(shares [][][]float64, w []float64, groups []datasets.SLIGroup, category float64) [][]float64 {
	out := make([][]float64, len(groups))
	for k, g := range groups {
		out[k] = make([]float64, len(g.Items))
		for p, sh := range shares {
			for j, v := range sh[k] {
				out[k][j] += w[p] * v
			}
		}
		if category == 0 || len(g.HistCats) == 0 {
			continue
		}
		last := g.HistCats[len(g.HistCats)-1]
		for j, c := range g.Cats {
			if c == last {
				out[k][j] *= math.Exp(category)
			}
		}
	}
	return out
}

// RunSLI reads protocol SLI's files — interactions (the TouK
// interactions.tsv) and, in its directory, SLIValidFile and SLITestFile —
// and runs SLI with cfg's models (popularity always included), seed,
// threads and event weights.
func RunSLI(ctx context.Context, interactions string, cfg Config) (SLIReport, error) {
	cfg = cfg.withDefaults()
	names, err := modelNames(cfg.Models, cfg.Algorithms)
	if err != nil {
		return SLIReport{}, err
	}
	algs := make([]trainer.Algorithm, len(names))
	for k, n := range names {
		algs[k] = cfg.Algorithms[n]
	}
	rows, err := readSLI(interactions, datasets.SLIInteractions)
	if err != nil {
		return SLIReport{}, err
	}
	dir := filepath.Dir(interactions)
	valid, err := readSLI(filepath.Join(dir, SLIValidFile), datasets.SLIGroups)
	if err != nil {
		return SLIReport{}, err
	}
	test, err := readSLI(filepath.Join(dir, SLITestFile), datasets.SLIGroups)
	if err != nil {
		return SLIReport{}, err
	}
	progress(cfg.Progress, "sli: %d rows, %d valid and %d test groups; fitting %v", len(rows), len(valid), len(test), names)
	return EvaluateSLI(ctx, rows, valid, test, algs, trainer.FitConfig{Weights: cfg.Weights, Threads: cfg.Threads, Seed: cfg.Seed})
}

func readSLI[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := datasets.Open(path)
	if err != nil {
		return zero, fmt.Errorf("sli: %w", err)
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return zero, fmt.Errorf("sli: reading %s: %w", path, err)
	}
	return v, nil
}

// SLIResult is one row of an SLI report.
type SLIResult struct {
	Model string
	// Category is true for the variant that reads the leaky category column.
	Category    bool
	Valid, Test SLIMetrics
}

// SLIReport is protocol SLI for a set of algorithms, their tuned mixture
// ("blend") and the mixture with the category feature.
type SLIReport struct {
	Results []SLIResult
	// Weights of the blend, by algorithm, tuned on the valid groups.
	Weights map[string]float64
	// CategoryWeight is the tuned log-odds bonus of a category match.
	CategoryWeight float64
}

// EvaluateSLI runs protocol SLI: every algorithm is fitted on the training rows
// (per user all but the last two, in file order), a mixture of their
// catalog shares is tuned on the valid groups (coordinate search on the mean
// of the six numbers), and every model, the mixture and the mixture with the
// category feature are scored on the test groups.
func EvaluateSLI(ctx context.Context, rows []datasets.SLIRow, valid, test []datasets.SLIGroup, algs []trainer.Algorithm, fit trainer.FitConfig) (SLIReport, error) {
	d := datasets.SLITrain(rows, 2, valid, test)
	var vs, ts [][][]float64
	var rep SLIReport
	for _, a := range algs {
		c, err := a.Fit(ctx, d, fit)
		if err != nil {
			return SLIReport{}, fmt.Errorf("fitting %s: %w", a.Name(), err)
		}
		v, t := SLIShares(c, d, valid), SLIShares(c, d, test)
		vs, ts = append(vs, v), append(ts, t)
		rep.Results = append(rep.Results, SLIResult{Model: a.Name(), Valid: ScoreSLI(valid, v), Test: ScoreSLI(test, t)})
	}
	if len(algs) == 0 {
		return rep, nil
	}
	w := tuneMix(vs, valid)
	rep.Weights = map[string]float64{}
	for p, a := range algs {
		rep.Weights[a.Name()] = w[p]
	}
	rep.Results = append(rep.Results, SLIResult{Model: "blend",
		Valid: ScoreSLI(valid, Mix(vs, w, valid, 0)), Test: ScoreSLI(test, Mix(ts, w, test, 0))})
	rep.CategoryWeight = tuneCategory(vs, w, valid)
	rep.Results = append(rep.Results, SLIResult{Model: "blend+category", Category: true,
		Valid: ScoreSLI(valid, Mix(vs, w, valid, rep.CategoryWeight)),
		Test:  ScoreSLI(test, Mix(ts, w, test, rep.CategoryWeight))})
	return rep, nil
}

// tuneMix is coordinate ascent over a grid, from equal weights; ties keep
// the earlier weight, so the result is deterministic.
func tuneMix(shares [][][]float64, valid []datasets.SLIGroup) []float64 {
	grid := []float64{0, 0.01, 0.03, 0.1, 0.2, 0.35, 0.5, 0.7, 1, 1.4, 2, 3, 5, 10}
	w := make([]float64, len(shares))
	for p := range w {
		w[p] = 1
	}
	best := ScoreSLI(valid, Mix(shares, w, valid, 0)).Mean()
	for range 3 {
		improved := false
		for p := range w {
			keep := w[p]
			for _, g := range grid {
				w[p] = g
				if s := ScoreSLI(valid, Mix(shares, w, valid, 0)).Mean(); s > best+1e-12 {
					best, keep, improved = s, g, true
				}
			}
			w[p] = keep
		}
		if !improved {
			break
		}
	}
	var sum float64
	for _, v := range w {
		sum += v
	}
	for p := range w {
		w[p] /= max(sum, 1e-12)
	}
	return w
}

func tuneCategory(shares [][][]float64, w []float64, valid []datasets.SLIGroup) float64 {
	best, bestS := 0.0, ScoreSLI(valid, Mix(shares, w, valid, 0)).Mean()
	for _, c := range []float64{0.25, 0.5, 1, 1.5, 2, 3, 4, 6} {
		if s := ScoreSLI(valid, Mix(shares, w, valid, c)).Mean(); s > bestS+1e-12 {
			best, bestS = c, s
		}
	}
	return best
}

// WriteJSON writes the report as one indented JSON document.
func (r SLIReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable prints the report with SLi-Rec's published numbers.
func (r SLIReport) WriteTable(w io.Writer) error {
	row := func(name, split string, m SLIMetrics) error {
		_, err := fmt.Fprintf(w, "%-22s %-5s %.4f  %.4f  %.4f  %.4f  %.4f  %.4f\n", name, split, m.AUC, m.GroupAUC, m.MeanMRR, m.NDCG2, m.NDCG4, m.NDCG6)
		return err
	}
	if _, err := fmt.Fprintf(w, "%-22s %-5s %-6s  %-6s  %-6s  %-6s  %-6s  %-6s\n", "model", "split", "auc", "gauc", "mrr", "ndcg@2", "ndcg@4", "ndcg@6"); err != nil {
		return err
	}
	for _, res := range r.Results {
		name := res.Model
		if res.Category {
			name += " (leaky)"
		}
		if err := row(name, "valid", res.Valid); err != nil {
			return err
		}
		if err := row(name, "test", res.Test); err != nil {
			return err
		}
	}
	return row("SLi-Rec (published)", "test", SLIRec())
}
