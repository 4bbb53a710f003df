package scorer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest/produce"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

// fixedRanker recommends the same products to everyone: enough to see which
// version served a list and that the rules apply. reason "" is personalized.
type fixedRanker struct {
	version string
	items   []string
	reason  string
}

func (r fixedRanker) Version() string { return r.version }

func (r fixedRanker) Rank(_ []features.Entry, n int, exclude []string) ([]schemas.ScoredItem, string) {
	var out []schemas.ScoredItem
	for k, it := range r.items {
		if len(out) == n {
			break
		}
		if !slices.Contains(exclude, it) {
			out = append(out, schemas.ScoredItem{ProductGID: it, Score: float64(len(r.items) - k)})
		}
	}
	if r.reason == "" {
		return out, schemas.ReasonPersonalized
	}
	return out, r.reason
}

// harness is a real Kafka-protocol broker and a real redis-server, with the
// topics in (interactions, 2 partitions), out, shadow and models.
type harness struct {
	brokers []string
	rdb     *redis.Client
	store   *features.Store
	codecs  *schemas.Codecs
	mu      sync.Mutex
	offset  int64
	models  map[string]scorer.Ranker
	last    map[string]string // user → their latest event id
	readers int
	loads   int                  // snapshots the loaders returned or missed
	reg     *prometheus.Registry // of the stage started last
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "in", "out", "shadow"), kfake.SeedTopics(1, "models"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	rdb := redis.NewClient(&redis.Options{Addr: redisserver.ForTest(t).Addr()})
	t.Cleanup(func() { rdb.Close() })
	codecs, _ := schemas.NewCodecs()
	return &harness{brokers: cluster.ListenAddrs(), rdb: rdb, store: features.New(rdb, features.Config{}), codecs: codecs,
		models: map[string]scorer.Ranker{}, last: map[string]string{}}
}

// loader serves the harness's models under their names "<name>/<version>".
func (h *harness) loader(name string) scorer.Loader {
	return func(ctx context.Context, version string) (scorer.Ranker, error) {
		if version == "" {
			v, err := h.store.CurrentVersion(ctx, name)
			if err != nil {
				return nil, err
			}
			version = v
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.loads++
		r, ok := h.models[name+"/"+version]
		if !ok {
			return nil, fmt.Errorf("no model %s %s: %w", name, version, features.ErrNotFound)
		}
		return r, nil
	}
}

// start runs a scorer on the harness until the test ends; stop ends it
// earlier (a replica going away), waiting for its clean shutdown.
func (h *harness) start(t *testing.T, cfg scorer.Config) (s *scorer.Stage, stop func()) {
	t.Helper()
	cfg.Brokers, cfg.Topic, cfg.OutputTopic, cfg.ModelsTopic, cfg.ShadowTopic = h.brokers, "in", "out", "models", "shadow"
	if cfg.GroupID == "" {
		cfg.GroupID = "g"
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Hour // announcements only
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = -1 // every rule sees the catalog and trending as the test just set them
	}
	if cfg.Writer == nil {
		p, err := produce.New(produce.Config{Brokers: h.brokers})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		cfg.Writer = p
	}
	models := scorer.Models{Serving: h.loader("default"), Shadow: h.loader(cfg.ShadowModel)}
	h.reg = prometheus.NewRegistry()
	s, err := scorer.New(cfg, h.store, models, slog.New(slog.NewTextHandler(io.Discard, nil)), h.reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("scorer Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return s, stop
}

// event applies one interaction to Redis and sends it, as ingest does.
func (h *harness) event(t *testing.T, user string, typ schemas.EventType, product uint64, at time.Time) string {
	t.Helper()
	h.mu.Lock()
	h.offset++
	off := h.offset
	h.last[user] = fmt.Sprintf("e%d", off)
	h.mu.Unlock()
	in := schemas.Interaction{EventID: fmt.Sprintf("e%d", off), UserID: user, Type: typ,
		ProductGID: schemas.ProductGID(product), Quantity: 1, Time: at.UTC().Truncate(time.Millisecond),
		Source: schemas.Offset{Topic: "raw", Offset: off}}
	if _, err := h.store.Apply(context.Background(), []schemas.Interaction{in}); err != nil {
		t.Fatal(err)
	}
	b, _ := h.codecs.EncodeInteraction(in)
	w := &kafka.Writer{Addr: kafka.TCP(h.brokers...), Topic: "in", Balancer: &kafka.Murmur2Balancer{}, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	msg := kafka.Message{Key: []byte(user), Value: b, Headers: []kafka.Header{{Key: scorer.HeaderSourceTime, Value: []byte(strconv.FormatInt(time.Now().UnixMilli(), 10))}}}
	if err := w.WriteMessages(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	return in.EventID
}

// interact is event at the current time.
func (h *harness) interact(t *testing.T, user string, typ schemas.EventType, product uint64) string {
	t.Helper()
	return h.event(t, user, typ, product, time.Now())
}

// catalog stores products with a category each; available unless listed in gone.
func (h *harness) catalog(t *testing.T, category string, ids []uint64, gone ...uint64) {
	t.Helper()
	var ps []schemas.Product
	for _, id := range ids {
		ps = append(ps, schemas.Product{GID: schemas.ProductGID(id), Category: category, Available: !slices.Contains(gone, id)})
	}
	if err := h.store.PutProducts(context.Background(), ps); err != nil {
		t.Fatal(err)
	}
}

// promote stores r as version of model name and makes it current, without
// announcing it.
func (h *harness) promote(t *testing.T, name, version string, r scorer.Ranker) {
	t.Helper()
	h.mu.Lock()
	h.models[name+"/"+version] = r
	h.mu.Unlock()
	if err := h.store.Promote(context.Background(), name, version); err != nil {
		t.Fatal(err)
	}
}

// announce promotes r as version of model name and announces it.
func (h *harness) announce(t *testing.T, name, version string, r scorer.Ranker) {
	t.Helper()
	h.promote(t, name, version, r)
	b, _ := h.codecs.EncodeModelUpdate(schemas.ModelUpdate{Name: name, Version: version, TrainedAt: time.Now()})
	w := &kafka.Writer{Addr: kafka.TCP(h.brokers...), Topic: "models", BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	if err := w.WriteMessages(context.Background(), kafka.Message{Key: []byte(name), Value: b}); err != nil {
		t.Fatal(err)
	}
}

// reader reads topic from the start, in a group of its own.
func (h *harness) reader(t *testing.T, topic string) *kafka.Reader {
	h.mu.Lock()
	h.readers++
	group := fmt.Sprintf("reader-%s-%d", topic, h.readers)
	h.mu.Unlock()
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: h.brokers, Topic: topic, GroupID: group,
		StartOffset: kafka.FirstOffset, MaxWait: 50 * time.Millisecond})
	t.Cleanup(func() { rd.Close() })
	return rd
}

// output reads the recommendations topic from the start.
func (h *harness) output(t *testing.T) *kafka.Reader { return h.reader(t, "out") }

// next reads the next recommendation.
func next(t *testing.T, rd *kafka.Reader) (schemas.Recommendation, kafka.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m, err := rd.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("no recommendation: %v", err)
	}
	var r schemas.Recommendation
	if err := json.Unmarshal(m.Value, &r); err != nil {
		t.Fatal(err)
	}
	return r, m
}

// settle reads lists until every user's latest event has been answered, so
// that everything sent so far is scored and tallied.
func (h *harness) settle(t *testing.T, rd *kafka.Reader) {
	t.Helper()
	h.mu.Lock()
	want := maps.Clone(h.last)
	h.mu.Unlock()
	for len(want) > 0 {
		r, _ := next(t, rd)
		if want[r.UserID] == r.Trigger.EventID {
			delete(want, r.UserID)
		}
	}
}

// caughtUp waits until group has committed everything sent to "in": every
// event is scored and tallied.
func (h *harness) caughtUp(t *testing.T, group string) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(h.brokers...), Timeout: 5 * time.Second}
	ctx := context.Background()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ends, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
			"in": {kafka.LastOffsetOf(0), kafka.LastOffsetOf(1)}}})
		if err != nil {
			continue
		}
		done, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{"in": {0, 1}}})
		if err != nil {
			continue
		}
		committed := map[int]int64{}
		for _, p := range done.Topics["in"] {
			committed[p.Partition] = p.CommittedOffset
		}
		behind := false
		for _, p := range ends.Topics["in"] {
			behind = behind || p.LastOffset > 0 && committed[p.Partition] < p.LastOffset
		}
		if !behind {
			return
		}
	}
	t.Fatalf("group %s did not catch up with the interactions", group)
}

// nextFor skips lists until the one for user triggered by event.
func nextFor(t *testing.T, rd *kafka.Reader, user, event string) schemas.Recommendation {
	t.Helper()
	for {
		r, _ := next(t, rd)
		if r.UserID == user && r.Trigger.EventID == event {
			return r
		}
	}
}

func itemsOf(r schemas.Recommendation) []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.ProductGID)
	}
	return out
}

// partitionOf is the partition of "in" that user's events go to.
func partitionOf(user string) int {
	return (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: []byte(user)}, 0, 1)
}

// userOnPartition returns a user id starting with prefix whose events go to partition p.
func userOnPartition(p int, prefix string) string {
	for k := 0; ; k++ {
		if u := fmt.Sprintf("%s%d", prefix, k); partitionOf(u) == p {
			return u
		}
	}
}

func gids(ids ...uint64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, schemas.ProductGID(id))
	}
	return out
}

// listsCounted waits up to 5 s for the stage's count of lists of reason to
// reach want (it counts after the produce returns, a moment after a reader
// may see the list) and returns the last value read.
func (h *harness) listsCounted(t *testing.T, reason string, want float64) float64 {
	t.Helper()
	var got float64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got = listCount(t, h.reg, reason); got >= want {
			break
		}
	}
	return got
}

// listCount reads recsys_scorer_recommendations_total{reason} from reg.
func listCount(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if f.GetName() == "recsys_scorer_recommendations_total" && m.GetLabel()[0].GetValue() == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no recsys_scorer_recommendations_total{reason=%q}", reason)
	return 0
}

// loadCount is how many times the harness's loaders were called.
func (h *harness) loadCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.loads
}

// waitUntil polls cond until it holds, failing the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", d, what)
		}
	}
}

// gets is how many GET commands the harness's Redis has served (a poll of a
// model's current pointer is one).
func (h *harness) gets(t *testing.T) int {
	t.Helper()
	info, err := h.rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(info, "cmdstat_get:calls=")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
	return n
}
