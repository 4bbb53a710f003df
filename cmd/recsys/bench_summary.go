package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

func (r *benchReport) print(w io.Writer, bc *benchConfig) {
	var in, sc, ls float64
	for _, s := range r.samples {
		in, sc, ls = in+s.ingested, sc+s.scored, ls+s.lists
	}
	n := float64(max(1, len(r.samples)))
	where := fmt.Sprintf("the embedded broker (a child process) and Redis share these %d cores with recsys and the load generator", runtime.NumCPU())
	if bc.external {
		where = "on the brokers and Redis given"
	}
	fmt.Fprintf(w, "\n== recsys bench: %s offered for %s; %s ==\n", rateText(bc.rate), bc.duration, where)
	workers := fmt.Sprintf("%d ingest workers", bc.pipeline.IngestWorkers)
	if bc.scoring() {
		workers = fmt.Sprintf("%d ingest and %d scorer workers", bc.pipeline.IngestWorkers, bc.pipeline.ScorerWorkers)
	}
	fmt.Fprintf(w, "pipeline                %s; topics created with %d partitions\n", workers, bc.pipeline.Partitions)
	fmt.Fprintf(w, "sent                    %d events\n", r.sent)
	if r.exhausted > 0 {
		fmt.Fprintf(w, "                        the synthetic shop ran out of events after %s: raise --users for a longer run\n", r.exhausted.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "ingest                  %.0f events/s sustained (mean of %d one-second samples)\n", in/n, len(r.samples))
	if b := r.end.ingestBatches.minus(r.start.ingestBatches); b.batches > 0 {
		fmt.Fprintf(w, "ingest batches          %.0f records on average; per batch %s applying to Redis, %s producing\n",
			b.records/b.batches, ms(secs(b.redis/b.batches)), ms(secs(b.produce/b.batches)))
	}
	if bc.scoring() {
		fmt.Fprintf(w, "scorer                  %.0f events/s, %.0f lists/s (a user's events in one batch share a list)\n", sc/n, ls/n)
		if b := r.end.scorerBatches.minus(r.start.scorerBatches); b.batches > 0 {
			fmt.Fprintf(w, "scorer batches          %.0f interactions on average; per batch %s in all, of which %s reading users, %s producing\n",
				b.records/b.batches, ms(secs(b.total/b.batches)), ms(secs(b.redis/b.batches)), ms(secs(b.produce/b.batches)))
		}
		fmt.Fprintf(w, "event→recommendation    p50 %s · p95 %s · p99 %s · max %s over %d lists\n",
			ms(r.latency.p50), ms(r.latency.p95), ms(r.latency.p99), ms(r.latency.maximum), r.latency.measured)
		fmt.Fprintf(w, "  of which to a consumer p50 %s · p99 %s (from the list's Kafka timestamp, ms resolution)\n",
			ms(r.latency.deliveryP50), ms(r.latency.deliveryP99))
		fmt.Fprintf(w, "scorer lag at the end   %.0f interactions\n", r.end.forwarded-r.end.scored)
		r.printTrainer(w, bc)
	} else {
		fmt.Fprintf(w, "scorer                  not run (--stages %s)\n", strings.Join(bc.stages, ","))
	}
	if behind := r.mostBehindRetention(); behind > 0 {
		fmt.Fprintf(w, "behind retention        up to %.0f records deleted by the broker's retention before a stage read them "+
			"(recsys_consumer_behind_retention): the stage skips them\n", behind)
	}
	fmt.Fprintf(w, "dead-letter queue       %s\n", formatDLQ(r.end))
	total := 0.0
	for k := range numProcs {
		total += r.printProc(w, k)
	}
	if !bc.external {
		fmt.Fprintf(w, "all three               %.2f of the machine's %d cores: latency grows as this nears the count\n", total, runtime.NumCPU())
	}
}

// printProc prints one process's mean CPU and its memory: RSS after the
// first second, the peak, and the trend over the second half of the run
// (least squares, MB per minute), about 0 when memory is flat. It returns
// the mean cores used.
func (r *benchReport) printProc(w io.Writer, k int) float64 {
	var cores, peak float64
	var xs, ys []float64
	for _, s := range r.samples {
		p := s.procs[k]
		if !p.ok {
			continue
		}
		cores, peak = cores+p.cores, max(peak, p.rssMB)
		xs, ys = append(xs, s.at.Minutes()), append(ys, p.rssMB)
	}
	if len(ys) == 0 {
		return 0
	}
	half := len(ys) / 2
	mean := cores / float64(len(ys))
	fmt.Fprintf(w, "%-23s %.2f cores · rss %.0f MB after 1 s, max %.0f MB, %+.1f MB/min over the second half\n",
		procNames[k], mean, ys[0], peak, slope(xs[half:], ys[half:]))
	return mean
}

// slope is the least-squares slope of ys over xs (0 for fewer than 2 points).
func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for k := range xs {
		sx, sy, sxx, sxy = sx+xs[k], sy+ys[k], sxx+xs[k]*xs[k], sxy+xs[k]*ys[k]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// printTrainer says how often the trainer ran while the bench measured.
func (r *benchReport) printTrainer(w io.Writer, bc *benchConfig) {
	runs := r.end.trainRuns - r.start.trainRuns
	if bc.retrain <= 0 {
		fmt.Fprintf(w, "trainer                 trained before measuring (--retrain retrains during the run); runs finished during it: %.0f\n", runs)
		return
	}
	each := 0.0
	if runs > 0 {
		each = (r.end.trainSecs - r.start.trainSecs) / runs
	}
	fmt.Fprintf(w, "trainer                 runs finished during the run: %.0f (%.0f promoted), %.1f s each, retraining every %s\n",
		runs, r.end.trainPromoted-r.start.trainPromoted, each, bc.retrain)
}

// mostBehindRetention is the most records any one-second sample found
// deleted by retention before their consumer group read them.
func (r *benchReport) mostBehindRetention() float64 {
	most := 0.0
	for _, s := range r.samples {
		most = max(most, s.behindRetention)
	}
	return most
}
