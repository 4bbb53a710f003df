package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
	"github.com/recsys/recsys/trainer"
)

// explainItems attaches each list item's component scores for history h. An
// item no part scored came from the rules (pinned, explored, trending): its
// source is then the one the scorer reported, or "rules" for a cached list.
func (e *explanation) explainItems(snap *trainer.Snapshot, h []features.Entry, sources []string) {
	gids := make([]string, len(e.List.Items))
	for k, it := range e.List.Items {
		gids[k] = it.ProductGID
	}
	var parts [][]trainer.Contribution
	if snap != nil {
		parts = snap.Explain(h, gids)
	}
	for k, it := range e.List.Items {
		x := explainedItem{ScoredItem: it, Source: "rules"}
		if k < len(sources) {
			x.Source = sources[k]
		}
		if parts != nil {
			x.Parts = parts[k]
			if x.Source == "rules" && modelScore(parts[k]) > 0 {
				x.Source = scorer.SourceModel
			}
		}
		e.Items = append(e.Items, x)
	}
}

func modelScore(cs []trainer.Contribution) float64 {
	var sum float64
	for _, c := range cs {
		sum += c.Score
	}
	return sum
}

// gids lists every product the explanation names, for titles.
func (e *explanation) gids() []string {
	var out []string
	for _, h := range e.History {
		out = append(out, h.ProductGID)
	}
	for _, it := range e.List.Items {
		out = append(out, it.ProductGID)
	}
	return out
}

func (e *explanation) label(gid string) string {
	p, ok := e.products[gid]
	if !ok || p.Title == "" {
		return gid
	}
	return fmt.Sprintf("%s  %q [%s]", gid, p.Title, p.Category)
}

func (e *explanation) print(w io.Writer) {
	fmt.Fprintf(w, "user %s: %d recent events, oldest first\n", e.User, len(e.History))
	for _, h := range e.History {
		fmt.Fprintf(w, "  %s  %-16s %s\n", h.Time.Format(time.RFC3339), h.Type, e.label(h.ProductGID))
	}
	l := e.List
	how := "computed now (nothing cached)"
	if e.Cached {
		how = fmt.Sprintf("cached, answering %s at %s", l.Trigger.EventID, l.Trigger.Offset)
	}
	fmt.Fprintf(w, "\nlist %s: %s, reason %s, generated %s\n", l.RecommendationID, how, l.Reason, l.GeneratedAt.Format(time.RFC3339))
	e.printModel(w)
	names := partNames(e.Items)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "  #\t  score\t%s\tsource\tproduct\n", strings.Join(names, "\t"))
	for k, it := range e.Items {
		cols := make([]string, len(names))
		for j, name := range names {
			cols[j] = fmt.Sprintf("%*s", len(name), "-")
			for _, c := range it.Parts {
				if c.Algorithm == name {
					cols[j] = fmt.Sprintf("%*.3f", len(name), c.Score)
				}
			}
		}
		fmt.Fprintf(tw, "%3d\t%7.3f\t%s\t%s\t%s\n", k+1, it.Score, strings.Join(cols, "\t"), it.Source, e.label(it.ProductGID))
	}
	tw.Flush()
	fmt.Fprintln(w, "a part's column is weight × its score scaled by its best score for this user; their sum is the model's score,")
	fmt.Fprintln(w, "which the rules then re-weight (boosts, seen weight), cap and complete (pinned, explore, trending, popular)")
	e.printAttribution(w)
}

func (e *explanation) printModel(w io.Writer) {
	if e.Model == nil {
		fmt.Fprintf(w, "model %s: no snapshot (popularity before the first model, or garbage-collected)\n", e.List.ModelVersion)
		return
	}
	m := e.Model
	keys := make([]string, 0, len(m.Metrics))
	for k := range m.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var metrics []string
	for _, k := range keys {
		metrics = append(metrics, fmt.Sprintf("%s=%.4g", k, m.Metrics[k]))
	}
	fmt.Fprintf(w, "model %s %s: trained %s on %s…%s (config %s, previous %s)\n  %s\n", m.Name, m.Version,
		m.TrainedAt.Format(time.RFC3339), m.WindowStart.Format(time.RFC3339), m.WindowEnd.Format(time.RFC3339),
		m.ConfigHash, m.PreviousVersion, strings.Join(metrics, " "))
}

func (e *explanation) printAttribution(w io.Writer) {
	for _, role := range []string{features.RoleServing, features.RoleShadow} {
		a, ok := e.Attribution[role]
		if !ok || a.Lists == 0 {
			continue
		}
		rate := func(t schemas.EventType) float64 { return float64(a.Events[t]) / float64(a.Lists) }
		fmt.Fprintf(w, "%s %s online: %d lists, click-through %.2f%%, add-to-cart %.2f%%, conversion %.2f%%\n",
			role, e.List.ModelVersion, a.Lists, 100*rate(schemas.View), 100*rate(schemas.AddToCart), 100*rate(schemas.Purchase))
	}
}

func partNames(items []explainedItem) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		for _, c := range it.Parts {
			if !seen[c.Algorithm] {
				seen[c.Algorithm] = true
				out = append(out, c.Algorithm)
			}
		}
	}
	return out
}
