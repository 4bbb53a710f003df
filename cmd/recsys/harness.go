package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/recsys/recsys/features/redisserver"
)

// embedded is the zero-setup infrastructure of `recsys demo` and `recsys
// bench`: the in-process broker and a real (or embedded) Redis.
type embedded struct {
	broker *embeddedBroker
	redis  *redisserver.Embedded
}

func startEmbedded(ctx context.Context, redisServer string, w io.Writer, what string) (*embedded, error) {
	broker, err := startBroker(0, "", memRetentionBytes)
	if err != nil {
		return nil, err
	}
	rds, err := redisserver.StartEmbedded(ctx, redisServer)
	if err != nil {
		broker.Close()
		return nil, err
	}
	fmt.Fprintf(w, "recsys %s: embedded Kafka-protocol broker at %v, Redis: %s at %s\n", what, broker.ListenAddrs(), rds.Kind, rds.Addr)
	return &embedded{broker: broker, redis: rds}, nil
}

func (e *embedded) Close() {
	_ = e.redis.Close()
	e.broker.Close()
}

// withPipeline creates the topics, then runs the stages named and an output
// watcher (keeping each user's latest list when keepLists) while drive runs,
// and stops them. An error of drive, of a stage or of the watcher is returned.
func withPipeline(ctx context.Context, c *config, stages []string, reg *prometheus.Registry, log *slog.Logger, keepLists bool,
	drive func(ctx context.Context, watch *outputWatch) error) (*outputWatch, error) {
	// Topics first: a reader that asks for a missing topic can have a broker
	// that creates topics on demand (as the embedded one and Kafka's default
	// do) make it with the broker's partition count instead of c.Partitions.
	if err := createTopics(ctx, c, slog.New(slog.DiscardHandler)); err != nil {
		return nil, err
	}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(pctx)
	g.Go(func() error { return runPipeline(gctx, c, stages, log, reg) })
	watch := newOutputWatch(c.Brokers, c.Topics.Recommendations, keepLists)
	g.Go(func() error { return watch.run(gctx) })
	g.Go(func() error {
		defer stop()
		return drive(gctx, watch)
	})
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return watch, err
	}
	return watch, nil
}
