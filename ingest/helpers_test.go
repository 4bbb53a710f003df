package ingest_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

const partitions = 4

// t0 is the Kafka timestamp of most test records.
var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// harness is one test's world: an in-process broker over TCP, a real
// redis-server, a Store, and a Config naming per-test topics and group.
type harness struct {
	t       testing.TB
	name    string
	brokers []string
	redis   *redisserver.Server
	store   *features.Store
	codecs  *schemas.Codecs
	cfg     ingest.Config
	readers atomic.Int64
}

type harnessOptions struct {
	persistRedis bool
}

func newHarness(t testing.TB, opts harnessOptions) *harness {
	t.Helper()
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	name = name[:min(len(name), 40)]
	cfg := ingest.Config{
		Topic: name + ".events", DLQTopic: name + ".dlq", OutputTopic: name + ".interactions",
		CatalogTopic: name + ".catalog", GroupID: name, ShutdownTimeout: 5 * time.Second,
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1),
		kfake.SeedTopics(partitions, cfg.Topic, cfg.DLQTopic, cfg.OutputTopic, cfg.CatalogTopic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	cfg.Brokers = cluster.ListenAddrs()
	srv, err := redisserver.Start(context.Background(), redisserver.Options{Persist: opts.persistRedis})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	// Fail fast while Redis is down, so that the stage's own retry is what a
	// test exercises rather than go-redis' (which takes about 3s per call).
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	codecs, err := schemas.NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, name: name, brokers: cfg.Brokers, redis: srv, codecs: codecs, cfg: cfg,
		store: features.New(rdb, features.Config{Prefix: name})}
}

// running is a Stage running in the background.
type running struct {
	reg  *prometheus.Registry
	stop func()
}

// start runs a Stage on cfg until stop (or the end of the test), and fails
// the test if Run returns an error.
func (h *harness) start(cfg ingest.Config) *running {
	h.t.Helper()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(testWriter{h.t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := ingest.New(cfg, h.store, log, reg)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var stopped atomic.Bool
	stop := func() {
		if stopped.Swap(true) {
			return
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				h.t.Errorf("Run: %v", err)
			}
		case <-time.After(20 * time.Second):
			h.t.Error("Run did not return within 20s of cancel")
		}
	}
	h.t.Cleanup(stop)
	return &running{reg: reg, stop: stop}
}

// testWriter sends the stage's warnings to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// produce writes msgs (to the input topic unless they name one) the way a
// Java client would partition them.
func (h *harness) produce(msgs ...kafka.Message) {
	h.t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(h.brokers...), Balancer: &kafka.Murmur2Balancer{},
		BatchTimeout: time.Millisecond, BatchSize: 10_000, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	for k := range msgs {
		if msgs[k].Topic == "" {
			msgs[k].Topic = h.cfg.Topic
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		h.t.Fatalf("producing: %v", err)
	}
}

// event is a canonical JSON input record for e, keyed by its user.
func (h *harness) event(e schemas.Event) kafka.Message {
	h.t.Helper()
	b, err := schemas.EncodeEventJSON(e)
	if err != nil {
		h.t.Fatal(err)
	}
	return kafka.Message{Key: []byte(e.UserID), Value: b, Time: t0}
}

// endOffsets returns the end offset of every partition of topic.
func (h *harness) endOffsets(topic string) map[int]int64 {
	h.t.Helper()
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for p := range partitions {
		req.Topics[topic] = append(req.Topics[topic], kafka.LastOffsetOf(p))
	}
	c := &kafka.Client{Addr: kafka.TCP(h.brokers...)}
	res, err := c.ListOffsets(context.Background(), req)
	if err != nil {
		h.t.Fatalf("listing offsets: %v", err)
	}
	ends := map[int]int64{}
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			h.t.Fatalf("listing offsets: %v", po.Error)
		}
		ends[po.Partition] = po.LastOffset
	}
	return ends
}

// readAll returns every record now in topic, partition by partition.
func (h *harness) readAll(topic string) []kafka.Message {
	h.t.Helper()
	var out []kafka.Message
	for p, end := range h.endOffsets(topic) {
		if end == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: h.brokers, Topic: topic, Partition: p, MaxWait: 50 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				h.t.Fatalf("reading %s/%d: %v", topic, p, err)
			}
			out = append(out, m)
			if m.Offset+1 >= end {
				break
			}
		}
		cancel()
		_ = r.Close()
	}
	return out
}

// committed sums the offsets the group committed on topic.
func (h *harness) committed(group, topic string) int64 {
	h.t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(h.brokers...)}
	res, err := c.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{
		GroupID: group, Topics: map[string][]int{topic: {0, 1, 2, 3}}})
	if err != nil {
		h.t.Fatalf("fetching offsets: %v", err)
	}
	var sum int64
	for _, p := range res.Topics[topic] {
		sum += max(p.CommittedOffset, 0)
	}
	return sum
}

// interactions decodes records of the output topic, checking their key and
// header, by event id (the last one wins).
func (h *harness) interactions(msgs []kafka.Message) map[string]schemas.Interaction {
	h.t.Helper()
	out := map[string]schemas.Interaction{}
	for _, m := range msgs {
		in, err := h.codecs.DecodeInteraction(m.Value)
		if err != nil {
			h.t.Fatalf("output record %d/%d: %v", m.Partition, m.Offset, err)
		}
		if string(m.Key) != in.UserID {
			h.t.Errorf("output record for %s keyed %q", in.UserID, m.Key)
		}
		if header(m, ingest.HeaderSourceTS) == "" {
			h.t.Errorf("output record %s has no %s header", in.EventID, ingest.HeaderSourceTS)
		}
		out[in.EventID] = in
	}
	return out
}

func header(m kafka.Message, key string) string {
	for _, hd := range m.Headers {
		if hd.Key == key {
			return string(hd.Value)
		}
	}
	return ""
}

// metric sums the samples of a counter (or a histogram's count) whose
// label has value (any, when value is empty).
func metric(reg *prometheus.Registry, name, value string) float64 {
	families, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if value != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != value) {
				continue
			}
			sum += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// eventually polls cond until it holds, failing the test after 30s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// events counts the events a stage has finished, whatever their outcome.
func (r *running) events() float64 { return metric(r.reg, "recsys_ingest_events_total", "") }

func (r *running) outcome(o string) float64 { return metric(r.reg, "recsys_ingest_events_total", o) }
