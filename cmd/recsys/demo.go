package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// demoConfig is what `recsys demo` takes.
type demoConfig struct {
	synth       synth.Config
	rate        float64
	timeout     time.Duration
	redisServer string
	show        int
	n           int
	verbose     bool
}

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newFlagSet("demo", getenv, stderr)
	var dc demoConfig
	defineSynth(f, &dc.synth)
	f.float(&dc.rate, "rate", 1000, "events per second in the live phase (after the first model)")
	f.dur(&dc.timeout, "duration", 90*time.Second, "stop after this long even if not done")
	f.str(&dc.redisServer, "redis-server", "", "redis-server binary (default: on PATH, else embedded miniredis)")
	f.int(&dc.show, "show", 3, "shoppers whose history and recommendations are printed")
	f.int(&dc.n, "n", 16, "products per recommendation list")
	f.boolean(&dc.verbose, "verbose", false, "print the stages' logs")
	if err := f.parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, dc.timeout)
	defer cancel()
	return demo(ctx, dc, stdout, stderr)
}

func demo(ctx context.Context, dc demoConfig, stdout, stderr io.Writer) error {
	dc.synth.End = time.Now().UTC().Truncate(time.Millisecond)
	gen, err := synth.New(dc.synth)
	if err != nil {
		return err
	}
	env, err := startEmbedded(ctx, dc.redisServer, stdout, "demo")
	if err != nil {
		return err
	}
	defer env.Close()
	events := collectEvents(gen)
	c := demoPipelineConfig(env.broker.ListenAddrs(), env.redis.Addr, dc, len(events))
	if err := c.finish(); err != nil {
		return err
	}
	logOut := io.Discard
	if dc.verbose {
		logOut = stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	reg := prometheus.NewRegistry()
	var sum demoSummary
	watch, err := withPipeline(ctx, &c, stageNames, reg, log, true, func(ctx context.Context, watch *outputWatch) error {
		return driveDemo(ctx, &c, gen, events, dc, reg, watch, &sum, stdout)
	})
	if err != nil {
		return err
	}
	if sum.err != nil {
		return sum.err
	}
	return printSummary(ctx, &c, gen, dc, reg, watch, &sum, stdout)
}

func demoPipelineConfig(brokers []string, redisAddr string, dc demoConfig, events int) config {
	var c config
	f := newFlagSet("demo", func(string) string { return "" }, io.Discard)
	c.define(f) // defaults, exactly as `recsys run` has them
	c.Brokers, c.Redis, c.MetricsAddr = brokers, []string{redisAddr}, ""
	c.Scorer.N = dc.n
	// The first model comes once most of the history is in; retraining waits
	// past the live phase so its CPU does not show up in the latencies.
	c.Trainer.Interval, c.Trainer.FirstRetry, c.Trainer.Window = time.Minute, time.Second, 365*24*time.Hour
	c.Trainer.MinEvents = max(200, events*6/10)
	return c
}

// driveDemo produces the catalog and the clickstream: most of it flat out,
// then, once a model is promoted, the rest paced like live traffic.
func driveDemo(ctx context.Context, c *config, gen *synth.Generator, events []schemas.Event, dc demoConfig, reg *prometheus.Registry, watch *outputWatch, sum *demoSummary, stdout io.Writer) error {
	rdb := c.redisClient()
	defer rdb.Close()
	store := features.New(rdb, c.Store)
	if err := sendCatalog(ctx, c.Brokers, c.Topics.Catalog, gen.Catalog()); err != nil {
		return err
	}
	split := len(events) * 7 / 10
	progress := startProgress(ctx, reg, watch, store, c.Trainer.Name, len(events), stdout)
	defer progress.stop()
	w := newWriter(c.Brokers, c.Topics.Events)
	defer w.Close()
	sum.bad = badRecords()
	if _, err := send(ctx, w, messages(events[:split], sum.bad), 0); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d events (and %d malformed records) flat out; waiting for the first model…\n", split, len(sum.bad))
	if sum.err = waitModel(ctx, store, c.Trainer.Name); sum.err != nil {
		return nil
	}
	if sum.err = waitDrained(ctx, reg, true); sum.err != nil { // live latencies should not include the backlog
		return nil
	}
	watch.resetLatency()
	fmt.Fprintf(stdout, "model promoted; sending the remaining %d events at %.0f/s like live traffic\n", len(events)-split, dc.rate)
	if _, err := send(ctx, w, messages(events[split:], nil), dc.rate); err != nil {
		return err
	}
	sum.sent = len(events)
	sum.err = waitDrained(ctx, reg, true)
	return nil
}
