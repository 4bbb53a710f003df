package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/models"
)

// progress prints a status line every second until stopped.
type progress struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startProgress(ctx context.Context, reg *prometheus.Registry, watch *outputWatch, store *features.Store, model string, total int, w io.Writer) *progress {
	ctx, cancel := context.WithCancel(ctx)
	p := &progress{cancel: cancel}
	p.wg.Add(1)
	go func() { // joined by stop
		defer p.wg.Done()
		start := time.Now()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			c := gatherCounts(reg)
			lists := watch.stats().lists
			version, err := store.CurrentVersion(ctx, model)
			if err != nil {
				version = "none yet (popularity)"
			}
			fmt.Fprintf(w, "  [%4.1fs] ingested %d/%d · DLQ %.0f · scored %.0f · lists received %d · model %s\n",
				time.Since(start).Seconds(), int(c.ingested), total, c.dlq, c.scored, lists, version)
		}
	}()
	return p
}

func (p *progress) stop() { p.cancel(); p.wg.Wait() }

func printSummary(ctx context.Context, c *config, gen *synth.Generator, dc demoConfig, reg *prometheus.Registry, watch *outputWatch, sum *demoSummary, w io.Writer) error {
	rdb := c.redisClient()
	defer rdb.Close()
	store := features.New(rdb, c.Store)
	snap, err := snapshotLoader(store, c.Trainer.Name, models.All())(ctx, "")
	if err != nil {
		return fmt.Errorf("loading the promoted model: %w", err)
	}
	model := snap.(*trainer.Snapshot)
	if err := printShoppers(ctx, store, gen, watch, dc.show, w); err != nil {
		return err
	}
	st := watch.stats()
	fmt.Fprintf(w, "\n== summary ==\n")
	fmt.Fprintf(w, "events in               %d (+%d malformed records)\n", sum.sent, len(sum.bad))
	fmt.Fprintf(w, "dead-letter queue       %s\n", formatDLQ(gatherCounts(reg)))
	fmt.Fprintf(w, "recommendations out     %d lists on %s\n", st.lists, c.Topics.Recommendations)
	fmt.Fprintf(w, "event→recommendation    p50 %s · p99 %s · max %s (%d lists of the live phase at %.0f events/s)\n",
		ms(st.p50), ms(st.p99), ms(st.maximum), st.measured, dc.rate)
	m := model.Update.Metrics
	fmt.Fprintf(w, "model                   %s, trained on %.0f events (%.0f users, %.0f items); holdout NDCG@10 %.3f vs popularity %.3f\n",
		model.Version(), m["events"], m["users"], m["items"], m["holdout_ndcg@10"], m["popularity_ndcg@10"])
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func printShoppers(ctx context.Context, store *features.Store, gen *synth.Generator, watch *outputWatch, show int, w io.Writer) error {
	users := busiestUsers(ctx, store, gen, show)
	for _, u := range users {
		r, ok, err := watch.recommendation(u)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		hist, err := store.History(ctx, u, 6)
		if err != nil {
			return err
		}
		gids := []string{}
		for _, h := range hist {
			gids = append(gids, h.ProductGID)
		}
		for _, it := range r.Items {
			gids = append(gids, it.ProductGID)
		}
		products, err := store.Products(ctx, gids)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\nshopper %s (favourite categories: %s)\n  recent history:\n", u, strings.Join(gen.Tastes(u), ", "))
		for _, h := range hist {
			p := products[h.ProductGID]
			fmt.Fprintf(w, "    %-16s %-34s %-14s %s\n", h.Type, p.Title, p.Category, h.ProductGID)
		}
		fmt.Fprintf(w, "  recommendations (model %s, %s):\n", r.ModelVersion, r.Reason)
		for k, it := range r.Items[:min(6, len(r.Items))] {
			p := products[it.ProductGID]
			fmt.Fprintf(w, "    %2d. %-34s %-14s %s  %.3f\n", k+1, p.Title, p.Category, it.ProductGID, it.Score)
		}
	}
	return nil
}

// busiestUsers picks the shoppers with the longest histories.
func busiestUsers(ctx context.Context, store *features.Store, gen *synth.Generator, n int) []string {
	type u struct {
		id string
		n  int
	}
	var all []u
	users, err := store.Users(ctx, gen.Users(), 1000)
	if err != nil {
		return nil
	}
	for _, x := range users {
		all = append(all, u{x.ID, len(x.History)})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].n > all[j].n })
	out := []string{}
	for _, x := range all[:min(n, len(all))] {
		out = append(out, x.id)
	}
	return out
}

func formatDLQ(c counts) string {
	if c.dlq == 0 {
		return "0"
	}
	var parts []string
	for class, v := range c.dlqByClass {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", class, v))
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%.0f records (%s)", c.dlq, strings.Join(parts, ", "))
}
