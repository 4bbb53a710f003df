package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest/synth"
)

// benchConfig is what `recsys bench` takes.
type benchConfig struct {
	rate        float64
	duration    time.Duration
	warmup      int
	redisServer string
	external    bool
	cpuProfile  string
	heapProfile string
	retrain     time.Duration
	stages      []string
	synth       synth.Config
	pipeline    config
}

func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newFlagSet("bench", getenv, stderr)
	var bc benchConfig
	bc.pipeline.define(f)
	f.float(&bc.rate, "rate", 0, "events per second to offer; 0 = as fast as the pipeline takes them")
	f.dur(&bc.duration, "duration", 60*time.Second, "how long to drive the pipeline")
	f.int(&bc.warmup, "warmup", 20000, "events sent before measuring, so a model exists")
	f.str(&bc.redisServer, "redis-server", "", "redis-server binary for the embedded default")
	f.boolean(&bc.external, "external", false, "use --brokers and --redis instead of the embedded broker and Redis")
	f.str(&bc.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the measured run to this file")
	f.str(&bc.heapProfile, "heap-profile", "", "write a Go heap profile at the end of the measured run to this file")
	f.dur(&bc.retrain, "retrain", 0, "retrain every this long during the run, to measure the pipeline while the trainer works (0: train once, before measuring)")
	f.list(&bc.stages, "stages", "ingest,scorer,trainer", "stages to run: all three, or ingest alone to measure its capacity")
	f.int(&bc.synth.Users, "users", 20000, "synthetic shoppers")
	f.int(&bc.synth.Products, "products", 5000, "synthetic products")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := checkBenchStages(bc.stages); err != nil {
		return err
	}
	bc.synth.SessionsPerUser, bc.synth.Period = 50, 365*24*time.Hour
	return bench(ctx, &bc, stdout)
}

// checkBenchStages accepts the whole pipeline or ingest alone: the scorer
// needs the trainer's model, and everything starts from ingest.
func checkBenchStages(stages []string) error {
	for _, s := range stages {
		if !slices.Contains(stageNames, s) {
			return fmt.Errorf("bench: unknown stage %q (ingest, scorer, trainer)", s)
		}
	}
	if !slices.Contains(stages, "ingest") || (slices.Contains(stages, "scorer") != slices.Contains(stages, "trainer")) {
		return errors.New("bench: --stages takes ingest,scorer,trainer or ingest alone")
	}
	return nil
}

// scoring reports whether the bench runs the scorer.
func (bc *benchConfig) scoring() bool { return slices.Contains(bc.stages, "scorer") }

func bench(ctx context.Context, bc *benchConfig, stdout io.Writer) error {
	c := &bc.pipeline
	var broker *brokerProcess
	if !bc.external {
		var rds *redisserver.Embedded
		var err error
		if broker, rds, err = startBenchInfra(ctx, bc.redisServer, stdout); err != nil {
			return err
		}
		defer broker.Close()
		defer rds.Close()
		c.Brokers, c.Redis = []string{broker.addr}, []string{rds.Addr}
	}
	c.MetricsAddr = ""
	c.Trainer.Interval, c.Trainer.FirstRetry, c.Trainer.MinEvents = 24*time.Hour, time.Second, 1000
	if bc.retrain > 0 {
		c.Trainer.Interval = bc.retrain
	}
	if err := c.finish(); err != nil {
		return err
	}
	bc.synth.End = time.Now().UTC().Truncate(time.Millisecond)
	gen, err := synth.New(bc.synth)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	var rep benchReport
	_, err = withPipeline(ctx, c, bc.stages, reg, slog.New(slog.DiscardHandler), false, func(ctx context.Context, watch *outputWatch) error {
		return driveBench(ctx, bc, gen, reg, watch, broker, &rep, stdout)
	})
	if err != nil {
		return err
	}
	if rep.err != nil {
		return rep.err
	}
	rep.print(stdout, bc)
	return nil
}

// startBenchInfra starts the embedded broker as a child process and Redis.
func startBenchInfra(ctx context.Context, redisServer string, stdout io.Writer) (*brokerProcess, *redisserver.Embedded, error) {
	broker, err := startBrokerProcess(ctx)
	if err != nil {
		return nil, nil, err
	}
	rds, err := redisserver.StartEmbedded(ctx, redisServer)
	if err != nil {
		broker.Close()
		return nil, nil, err
	}
	fmt.Fprintf(stdout, "recsys bench: embedded Kafka-protocol broker at %s (child process %d), Redis: %s at %s\n",
		broker.addr, broker.cmd.Process.Pid, rds.Kind, rds.Addr)
	return broker, rds, nil
}

// driveBench warms up until a model is served, then offers load for the
// duration while sampling the counters every second.
func driveBench(ctx context.Context, bc *benchConfig, gen *synth.Generator, reg *prometheus.Registry, watch *outputWatch,
	broker *brokerProcess, rep *benchReport, stdout io.Writer) error {
	c := &bc.pipeline
	rdb := c.redisClient()
	defer rdb.Close()
	if err := sendCatalog(ctx, c.Brokers, c.Topics.Catalog, gen.Catalog()); err != nil {
		return err
	}
	next, stopEvents := iterPull(gen)
	defer stopEvents()
	w := newWriter(c.Brokers, c.Topics.Events)
	defer w.Close()
	if _, err := send(ctx, w, take(next, bc.warmup), 0); err != nil {
		return err
	}
	if rep.err = warmedUp(ctx, bc, features.New(rdb, c.Store), reg); rep.err != nil {
		return nil
	}
	fmt.Fprintf(stdout, "warm-up of %d events done%s; driving for %s at %s\n", bc.warmup, modelText(bc), bc.duration, rateText(bc.rate))
	lctx, cancel := context.WithTimeout(ctx, bc.duration)
	defer cancel()
	stopProfile, err := startCPUProfile(bc.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// The stages' lag collector comes with a metrics address, which the bench
	// has not: register one for the samples (behind retention).
	lag := newLagCollector(&kafka.Client{Addr: kafka.TCP(c.Brokers...), Timeout: 3 * time.Second, Transport: c.kafka.Transport},
		c.lagGroups(bc.stages))
	if err := reg.Register(lag); err == nil {
		defer reg.Unregister(lag)
	}
	rep.start = gatherCounts(reg)
	sampler := startSampler(ctx, reg, watch, meters{broker: broker, rdb: rdb}, stdout)
	records := take(next, -1)
	if bc.rate <= 0 { // full speed: stay at most maxLead events ahead of ingest, so memory measures recsys, not a backlog
		records = bounded(lctx, records, func() float64 { return gatherCounts(reg).ingested }, maxLead)
	}
	began := time.Now()
	sent, err := send(lctx, w, records, bc.rate)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if lctx.Err() == nil { // the synthetic shop has no more events
		rep.exhausted = time.Since(began)
	}
	rep.sent = sent
	rep.samples = sampler.stop()
	stopProfile()
	if err := writeHeapProfile(bc.heapProfile); err != nil {
		return err
	}
	dctx, cancelDrain := context.WithTimeout(ctx, 30*time.Second)
	defer cancelDrain()
	_ = waitDrained(dctx, reg, bc.scoring()) // latency of the last lists too; a pipeline that cannot drain shows as lag
	rep.latency = watch.stats()
	rep.end = gatherCounts(reg)
	return nil
}

// warmedUp waits for the warm-up events to be handled and, when the bench
// scores, for the first model.
func warmedUp(ctx context.Context, bc *benchConfig, store *features.Store, reg *prometheus.Registry) error {
	if bc.scoring() {
		if err := waitModel(ctx, store, bc.pipeline.Trainer.Name); err != nil {
			return err
		}
	}
	return waitDrained(ctx, reg, bc.scoring())
}

func modelText(bc *benchConfig) string {
	if bc.scoring() {
		return ", model served"
	}
	return " (ingest alone)"
}

func rateText(rate float64) string {
	if rate <= 0 {
		return "full speed"
	}
	return fmt.Sprintf("%.0f events/s", rate)
}

// startCPUProfile starts a CPU profile to path (none when path is empty); the
// returned stop may be called more than once.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}, nil
}

// writeHeapProfile writes a heap profile to path (none when path is empty),
// after a collection so that it shows what is live.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
