package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// benchSample is one second of the measured window.
type benchSample struct {
	at                         time.Duration
	ingested, scored, lists    float64 // per second
	ingestLag, scoreLag, rssMB float64
	cpu                        float64 // cores busy
}

type benchReport struct {
	sent    int
	samples []benchSample
	latency latencyStats
	end     counts
	err     error
}

// iterPull turns the generator into a pull iterator of canonical JSON records.
func iterPull(gen *synth.Generator) (func() (kafka.Message, error, bool), func()) {
	return iter.Pull2(encodeEvents(gen.Events(), schemas.EncodeEventJSON))
}

// take yields up to n records of next (n < 0: all).
func take(next func() (kafka.Message, error, bool), n int) iter.Seq2[kafka.Message, error] {
	return func(yield func(kafka.Message, error) bool) {
		for k := 0; n < 0 || k < n; k++ {
			m, err, ok := next()
			if !ok || !yield(m, err) {
				return
			}
		}
	}
}

// maxLead bounds how far the full-speed load generator runs ahead of ingest.
const maxLead = 20000

// bounded passes records through, pausing while more than lead of them are
// ahead of done() (the count the pipeline has consumed, plus what it had at start).
func bounded(ctx context.Context, records iter.Seq2[kafka.Message, error], done func() float64, lead int) iter.Seq2[kafka.Message, error] {
	return func(yield func(kafka.Message, error) bool) {
		base, n := done(), 0
		for m, err := range records {
			for n%1000 == 0 && float64(n)-(done()-base) > float64(lead) { // done() gathers metrics: not per record
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Millisecond):
				}
			}
			if !yield(m, err) {
				return
			}
			n++
		}
	}
}

// sampler records per-second rates of the pipeline's counters.
type sampler struct {
	start   time.Time
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	samples []benchSample
}

func startSampler(ctx context.Context, reg *prometheus.Registry, watch *outputWatch, w io.Writer) *sampler {
	watch.resetLatency()
	ctx, cancel := context.WithCancel(ctx)
	s := &sampler{start: time.Now(), cancel: cancel}
	s.wg.Add(1)
	go func() { // joined by stop
		defer s.wg.Done()
		prev, prevCPU, prevAt := gatherCounts(reg), cpuTime(), time.Now()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				c, cpu := gatherCounts(reg), cpuTime()
				secs := now.Sub(prevAt).Seconds()
				b := benchSample{
					at: now.Sub(s.start), ingested: (c.ingested - prev.ingested) / secs, scored: (c.scored - prev.scored) / secs,
					lists: (c.lists - prev.lists) / secs, scoreLag: c.forwarded - c.scored, rssMB: rssMB(),
					cpu: (cpu - prevCPU).Seconds() / secs,
				}
				s.samples = append(s.samples, b)
				fmt.Fprintf(w, "  [%3.0fs] ingest %7.0f ev/s · scorer %7.0f ev/s · %6.0f lists/s · scorer lag %6.0f · rss %4.0f MB · cpu %.2f cores\n",
					b.at.Seconds(), b.ingested, b.scored, b.lists, b.scoreLag, b.rssMB, b.cpu)
				prev, prevCPU, prevAt = c, cpu, now
			}
		}
	}()
	return s
}

func (s *sampler) stop() []benchSample { s.cancel(); s.wg.Wait(); return s.samples }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssMB reads this process's resident set size from /proc (0 elsewhere).
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func (r *benchReport) print(w io.Writer, bc *benchConfig) {
	var in, sc, ls, cpu, rssMax float64
	rssFirst := 0.0
	for k, s := range r.samples {
		in, sc, ls, cpu = in+s.ingested, sc+s.scored, ls+s.lists, cpu+s.cpu
		rssMax = max(rssMax, s.rssMB)
		if k == 0 {
			rssFirst = s.rssMB
		}
	}
	n := float64(max(1, len(r.samples)))
	fmt.Fprintf(w, "\n== recsys bench: %s offered for %s (embedded broker and Redis share these %d cores with the load generator) ==\n",
		rateText(bc.rate), bc.duration, runtime.NumCPU())
	fmt.Fprintf(w, "sent                    %d events\n", r.sent)
	fmt.Fprintf(w, "ingest                  %.0f events/s sustained (mean of %d one-second samples)\n", in/n, len(r.samples))
	fmt.Fprintf(w, "scorer                  %.0f events/s, %.0f lists/s (a user's events in one batch share a list)\n", sc/n, ls/n)
	fmt.Fprintf(w, "event→recommendation    p50 %s · p95 %s · p99 %s · max %s over %d lists\n",
		ms(r.latency.p50), ms(r.latency.p95), ms(r.latency.p99), ms(r.latency.maximum), r.latency.measured)
	fmt.Fprintf(w, "scorer lag at the end   %.0f interactions\n", r.end.forwarded-r.end.scored)
	fmt.Fprintf(w, "dead-letter queue       %s\n", formatDLQ(r.end))
	fmt.Fprintf(w, "memory                  rss %.0f MB after 1 s, max %.0f MB\n", rssFirst, rssMax)
	fmt.Fprintf(w, "cpu                     %.2f cores busy on average (whole process)\n", cpu/n)
}
