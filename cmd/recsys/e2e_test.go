package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// e2e is a whole pipeline on an embedded broker and a real redis-server.
type e2e struct {
	c     config
	gen   *synth.Generator
	store *features.Store
	reg   *prometheus.Registry // the pipeline's metrics
}

func startE2E(t *testing.T, n int) *e2e {
	t.Helper()
	return startE2EOn(t, n, []string{redisserver.ForTest(t).Addr()})
}

// startE2EOn starts the pipeline on the Redis at redis (several: a cluster).
func startE2EOn(t *testing.T, n int, redis []string) *e2e {
	t.Helper()
	broker := testBroker(t)
	var e e2e
	e.c.define(newFlagSet("e2e", func(string) string { return "" }, io.Discard))
	e.c.Brokers, e.c.Redis, e.c.MetricsAddr = broker.ListenAddrs(), redis, ""
	e.c.Scorer.N = n
	e.c.Trainer.Interval, e.c.Trainer.Window, e.c.Trainer.MinEvents = time.Second, 365*24*time.Hour, 100
	if err := e.c.finish(); err != nil {
		t.Fatal(err)
	}
	var err error
	e.gen, err = synth.New(synth.Config{Users: 200, Products: 300, SessionsPerUser: 4, End: time.Now().UTC().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	rdb := e.c.redisClient()
	t.Cleanup(func() { rdb.Close() })
	e.store = features.New(rdb, e.c.Store)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	e.reg = prometheus.NewRegistry()
	go func() {
		done <- runPipeline(ctx, &e.c, stageNames, slog.New(slog.NewTextHandler(io.Discard, nil)), e.reg)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pipeline: %v", err)
		}
	})
	return &e
}

func (e *e2e) send(t *testing.T, events []schemas.Event) {
	t.Helper()
	w := newWriter(e.c.Brokers, e.c.Topics.Events)
	defer w.Close()
	if _, err := send(context.Background(), w, messages(events, nil), 0); err != nil {
		t.Fatal(err)
	}
}

func TestPipelineEndToEnd(t *testing.T) {
	const n = 8
	startE2E(t, n).checkEndToEnd(t, n)
}

// On a Redis Cluster every key of a script shares a slot, and the apply
// script takes one user per call: the same events give the same lists.
func TestPipelineEndToEndOnARedisCluster(t *testing.T) {
	const n = 8
	nodes := redisserver.ClusterForTest(t, 3)
	e := startE2EOn(t, n, nodes)
	if _, ok := e.store.Client().(*redis.ClusterClient); !ok {
		t.Fatalf("the store's client is a %T, want a cluster client", e.store.Client())
	}
	e.checkEndToEnd(t, n)
	for _, addr := range nodes {
		node := redis.NewClient(&redis.Options{Addr: addr})
		keys, err := node.DBSize(context.Background()).Result()
		node.Close()
		if err != nil || keys == 0 {
			t.Errorf("node %s holds %d keys (%v); want every node to hold some", addr, keys, err)
		}
	}
}

// checkEndToEnd sends the synthetic shop's history and then one click per
// shopper, and checks every shopper's list answers their click.
func (e *e2e) checkEndToEnd(t *testing.T, n int) {
	ctx := context.Background()
	if err := waitFor(ctx, slog.New(slog.DiscardHandler), "topics", func(ctx context.Context) error {
		return sendCatalog(ctx, e.c.Brokers, e.c.Topics.Catalog, e.gen.Catalog())
	}); err != nil {
		t.Fatal(err)
	}
	history := collectEvents(e.gen)
	e.send(t, history)
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := waitModel(wctx, e.store, e.c.Trainer.Name); err != nil {
		t.Fatal(err)
	}
	// Each scorer worker loads the model after its announcement: a click
	// scored before that gets a popularity list.
	waitUntil(t, 30*time.Second, "every scorer worker to serve the model", func() bool {
		return swaps(e.reg) >= float64(e.c.ScorerWorkers)
	})
	// One more click per shopper, after the model is served; new shoppers included.
	last := map[string]schemas.Event{}
	for k, u := range e.gen.Users() {
		p := e.gen.Catalog()[k%len(e.gen.Catalog())]
		last[u] = schemas.Event{EventID: "last-" + u, UserID: u, Type: schemas.View, Product: p.GID, Time: time.Now().UTC()}
	}
	e.send(t, mapValues(last))
	lists := e.readLists(t, last)
	interactions := e.readInteractions(t, len(history)+len(last))
	purchased := purchases(history)
	catalog := map[string]bool{}
	for _, p := range e.gen.Catalog() {
		catalog[p.GID] = true
	}
	for user, ev := range last {
		r := lists[user]
		checkList(t, r, n, catalog, purchased[user])
		at := interactions[ev.EventID]
		if r.Trigger.Topic != e.c.Topics.Interactions || r.Trigger.Partition != at.Partition || r.Trigger.Offset.Offset != at.Offset {
			t.Errorf("%s: trigger %+v; want %s/%d/%d, their latest interaction", user, r.Trigger, e.c.Topics.Interactions, at.Partition, at.Offset)
		}
	}
}

func checkList(t *testing.T, r schemas.Recommendation, n int, catalog, purchased map[string]bool) {
	t.Helper()
	if len(r.Items) != n || r.ModelVersion == "" || r.ModelVersion == "popularity" {
		t.Errorf("%s: %d items, model %q; want %d items from a trained model", r.UserID, len(r.Items), r.ModelVersion, n)
	}
	for _, it := range r.Items {
		if _, ok := schemas.ParseProductGID(it.ProductGID); !ok || !catalog[it.ProductGID] {
			t.Errorf("%s: %q is not a catalog product GID", r.UserID, it.ProductGID)
		}
		if purchased[it.ProductGID] {
			t.Errorf("%s: recommended %s, which they bought", r.UserID, it.ProductGID)
		}
	}
}

// readLists reads the output topic until every user's list for their last event is there.
func (e *e2e) readLists(t *testing.T, last map[string]schemas.Event) map[string]schemas.Recommendation {
	t.Helper()
	out := map[string]schemas.Recommendation{}
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: e.c.Brokers, Topic: e.c.Topics.Recommendations,
		GroupID: "e2e-reader", StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for len(out) < len(last) {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("%d of %d users got their list: %v", len(out), len(last), err)
		}
		checkStamped(t, m)
		var r schemas.Recommendation
		if err := json.Unmarshal(m.Value, &r); err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != r.UserID {
			t.Fatalf("list keyed %q for user %q", m.Key, r.UserID)
		}
		if ev, ok := last[r.UserID]; ok && r.Trigger.EventID == ev.EventID {
			out[r.UserID] = r
		}
	}
	return out
}

// readInteractions maps event ids to their offsets on the interaction log.
func (e *e2e) readInteractions(t *testing.T, want int) map[string]schemas.Offset {
	t.Helper()
	codecs, _ := schemas.NewCodecs()
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: e.c.Brokers, Topic: e.c.Topics.Interactions,
		GroupID: "e2e-log", StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := map[string]schemas.Offset{}
	for len(out) < want {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read %d of %d interactions: %v", len(out), want, err)
		}
		checkStamped(t, m)
		in, err := codecs.DecodeInteraction(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		out[in.EventID] = schemas.Offset{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset}
	}
	return out
}

// checkStamped fails the test when a record recsys produced does not carry
// the time it was produced: time-based retention and lag by time rely on it.
func checkStamped(t *testing.T, m kafka.Message) {
	t.Helper()
	if age := time.Since(m.Time); age < 0 || age > 10*time.Minute {
		t.Fatalf("%s/%d/%d: Kafka timestamp %v, want the time it was produced", m.Topic, m.Partition, m.Offset, m.Time)
	}
}

func purchases(events []schemas.Event) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, e := range events {
		if e.Type == schemas.Purchase {
			if out[e.UserID] == nil {
				out[e.UserID] = map[string]bool{}
			}
			out[e.UserID][e.Product] = true
		}
	}
	return out
}

func mapValues(m map[string]schemas.Event) []schemas.Event {
	out := make([]schemas.Event, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
