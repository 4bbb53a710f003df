package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// benchSample is one second of the measured window.
type benchSample struct {
	at                      time.Duration
	ingested, scored, lists float64 // per second
	scoreLag                float64
	behindRetention         float64       // records deleted before their consumer group read them
	p99, max                time.Duration // event→recommendation latency within the second
	procs                   [numProcs]procSample
}

// The processes a bench sample measures.
const (
	procRecsys = iota // this process: the stages and the load generator
	procBroker        // the embedded broker's child process
	procRedis         // redis-server
	numProcs
)

var procNames = [numProcs]string{"recsys", "broker", "redis"}

// procSample is one process's share of a sample.
type procSample struct {
	cores, rssMB float64
	ok           bool
}

// meters reads the resource usage of the processes the bench runs; broker
// is nil with --external.
type meters struct {
	broker *brokerProcess
	rdb    redis.UniversalClient
}

func (m meters) read(ctx context.Context) [numProcs]procUse {
	var u [numProcs]procUse
	u[procRecsys] = procUsage(os.Getpid())
	if m.broker != nil {
		u[procBroker] = procUsage(m.broker.cmd.Process.Pid)
	}
	u[procRedis] = redisUsage(ctx, m.rdb)
	return u
}

type benchReport struct {
	sent       int
	samples    []benchSample
	latency    latencyStats
	start, end counts // at the start and the end of the measured run
	// exhausted is when the synthetic shop ran out of events, if it did
	// before the duration ended.
	exhausted time.Duration
	err       error
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

func startSampler(ctx context.Context, reg *prometheus.Registry, watch *outputWatch, m meters, w io.Writer) *sampler {
	watch.resetLatency()
	ctx, cancel := context.WithCancel(ctx)
	s := &sampler{start: time.Now(), cancel: cancel}
	s.wg.Add(1)
	go func() { // joined by stop
		defer s.wg.Done()
		prev, prevUse, prevAt := gatherCounts(reg), m.read(ctx), time.Now()
		watch.takeRecent()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				c, use := gatherCounts(reg), m.read(ctx)
				secs := now.Sub(prevAt).Seconds()
				b := benchSample{
					at: now.Sub(s.start), ingested: (c.ingested - prev.ingested) / secs, scored: (c.scored - prev.scored) / secs,
					lists: (c.lists - prev.lists) / secs, scoreLag: c.forwarded - c.scored, behindRetention: c.behindRetention,
				}
				b.p99, b.max = watch.takeRecent()
				for k := range use {
					b.procs[k] = procSample{cores: (use[k].cpu - prevUse[k].cpu).Seconds() / secs, rssMB: use[k].rssMB, ok: use[k].ok && prevUse[k].ok}
				}
				s.samples = append(s.samples, b)
				b.printLine(w)
				prev, prevUse, prevAt = c, use, now
			}
		}
	}()
	return s
}

func (b benchSample) printLine(w io.Writer) {
	fmt.Fprintf(w, "  [%3.0fs] ingest %6.0f ev/s · scorer %6.0f ev/s · %5.0f lists/s · lag %6.0f · p99 %6s max %6s",
		b.at.Seconds(), b.ingested, b.scored, b.lists, b.scoreLag, ms(b.p99), ms(b.max))
	for k, p := range b.procs {
		if p.ok {
			fmt.Fprintf(w, " · %s %.2f cores %4.0f MB", procNames[k], p.cores, p.rssMB)
		}
	}
	fmt.Fprintln(w)
}

func (s *sampler) stop() []benchSample { s.cancel(); s.wg.Wait(); return s.samples }
