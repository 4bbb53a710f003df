package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/scorer"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/models"
)

var stageNames = []string{"ingest", "scorer", "trainer"}

func runStages(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "all" && !slices.Contains(stageNames, args[0])) {
		return errors.New("run: name a stage: ingest, scorer, trainer or all")
	}
	which := stageNames
	if args[0] != "all" {
		which = []string{args[0]}
	}
	var c config
	f := newFlagSet("run "+args[0], getenv, stderr)
	c.define(f)
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if err := c.finish(); err != nil {
		return err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return runPipeline(ctx, &c, which, log, reg)
}

// runPipeline connects to Kafka and Redis, creates topics and runs the named
// stages until ctx ends or one fails.
func runPipeline(ctx context.Context, c *config, which []string, log *slog.Logger, reg *prometheus.Registry) error {
	rdb := c.redisClient()
	defer rdb.Close()
	if err := waitFor(ctx, log, "redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() }); err != nil {
		return err
	}
	if c.CreateTopics {
		if err := createTopics(ctx, c, log); err != nil {
			return err
		}
	}
	store := features.New(rdb, c.Store)
	// Build every stage before starting any, so a configuration error leaves
	// nothing running. The first scorer worker also serves the pull API.
	var runs []func(context.Context) error
	var api http.Handler
	for _, name := range which {
		for w := 0; w < c.workers(name); w++ {
			// Workers are members of the stage's consumer group, each with its
			// own partitions; their metrics carry a worker label.
			wreg := prometheus.WrapRegistererWith(prometheus.Labels{"worker": strconv.Itoa(w)}, reg)
			run, h, err := newStage(name, c, store, log.With("stage", name, "worker", w), wreg)
			if err != nil {
				return err
			}
			runs = append(runs, run)
			if api == nil {
				api = h
			}
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	if c.MetricsAddr != "" {
		reg.MustRegister(newLagCollector(&kafka.Client{Addr: kafka.TCP(c.Brokers...), Timeout: 3 * time.Second, Transport: c.kafka.Transport}, c.lagGroups(which)))
		g.Go(func() error { return serveOps(gctx, c.MetricsAddr, reg, store, api) })
	}
	for _, run := range runs {
		g.Go(func() error { return run(gctx) })
	}
	return g.Wait()
}

// newStage builds one stage; the scorer gets a loader of trainer snapshots
// and returns its pull API handler.
func newStage(name string, c *config, store *features.Store, log *slog.Logger, reg prometheus.Registerer) (func(context.Context) error, http.Handler, error) {
	switch name {
	case "ingest":
		s, err := ingest.New(c.Ingest, store, log, reg)
		if err != nil {
			return nil, nil, err
		}
		return s.Run, nil, nil
	case "scorer":
		return newScorer(c, store, log, reg)
	case "trainer":
		s, err := trainer.New(c.Trainer, store, models.All(), log, reg)
		if err != nil {
			return nil, nil, err
		}
		return s.Run, nil, nil
	}
	return nil, nil, fmt.Errorf("unknown stage %q", name)
}

// snapshotLoader is the scorer's view of trainer snapshots stored in Redis.
func snapshotLoader(store *features.Store, name string, reg trainer.Registry) scorer.Loader {
	return func(ctx context.Context, version string) (scorer.Ranker, error) {
		if version == "" {
			v, err := store.CurrentVersion(ctx, name)
			if err != nil {
				return nil, err
			}
			version = v
		}
		blob, _, err := store.LoadModel(ctx, name, version)
		if err != nil {
			return nil, err
		}
		return trainer.DecodeSnapshot(blob, reg)
	}
}

// waitFor retries check with backoff until it passes or ctx ends, so the
// binary can start before Kafka or Redis (as under docker compose).
func waitFor(ctx context.Context, log *slog.Logger, what string, check func(context.Context) error) error {
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := check(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if attempt == 1 || attempt%10 == 0 {
			log.Warn("waiting for "+what, "err", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, errors.Join(err, ctx.Err()))
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// serveOps serves /metrics, /healthz (the process is up), /readyz (Redis
// answers) and, when api is not nil, the pull API under /v1/.
func serveOps(ctx context.Context, addr string, reg *prometheus.Registry, store *features.Store, api http.Handler) error {
	mux := http.NewServeMux()
	if api != nil {
		mux.Handle("/v1/", api)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := store.Client().Ping(r.Context()).Err(); err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }() // joined below
	select {
	case err := <-errc:
		return fmt.Errorf("serving %s: %w", addr, err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-errc
		return nil
	}
}
