package scorer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

// fixedRanker recommends the same products to everyone: enough to see which
// version served a list and that exclusions and backfill apply.
type fixedRanker struct {
	version string
	items   []string
}

func (r fixedRanker) Version() string { return r.version }

func (r fixedRanker) Rank(_ []features.Entry, n int, exclude []string) ([]schemas.ScoredItem, string) {
	var out []schemas.ScoredItem
	for k, it := range r.items {
		if len(out) == n {
			break
		}
		skip := false
		for _, ex := range exclude {
			skip = skip || ex == it
		}
		if !skip {
			out = append(out, schemas.ScoredItem{ProductGID: it, Score: float64(len(r.items) - k)})
		}
	}
	return out, schemas.ReasonPersonalized
}

type harness struct {
	brokers []string
	store   *features.Store
	codecs  *schemas.Codecs
	offset  int64
	mu      sync.Mutex
	models  map[string]scorer.Ranker
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "in", "out"), kfake.SeedTopics(1, "models"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	rdb := redis.NewClient(&redis.Options{Addr: redisserver.ForTest(t).Addr()})
	t.Cleanup(func() { rdb.Close() })
	codecs, _ := schemas.NewCodecs()
	return &harness{brokers: cluster.ListenAddrs(), store: features.New(rdb, features.Config{}), codecs: codecs, models: map[string]scorer.Ranker{}}
}

func (h *harness) loader(ctx context.Context, version string) (scorer.Ranker, error) {
	if version == "" {
		v, err := h.store.CurrentVersion(ctx, "default")
		if err != nil {
			return nil, err
		}
		version = v
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.models[version]
	if !ok {
		return nil, fmt.Errorf("no model %s: %w", version, features.ErrNotFound)
	}
	return r, nil
}

func (h *harness) start(t *testing.T, cfg scorer.Config) context.CancelFunc {
	t.Helper()
	cfg.Brokers, cfg.Topic, cfg.OutputTopic, cfg.ModelsTopic, cfg.GroupID = h.brokers, "in", "out", "models", "g"
	cfg.PollInterval = time.Hour // announcements only
	s, err := scorer.New(cfg, h.store, h.loader, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("scorer Run: %v", err)
		}
	})
	return cancel
}

// interact applies one interaction to Redis and sends it, as ingest does.
func (h *harness) interact(t *testing.T, user string, typ schemas.EventType, product uint64) {
	t.Helper()
	h.offset++
	in := schemas.Interaction{EventID: fmt.Sprintf("e%d", h.offset), UserID: user, Type: typ,
		ProductGID: schemas.ProductGID(product), Quantity: 1, Time: time.Now().UTC().Truncate(time.Millisecond),
		Source: schemas.Offset{Topic: "raw", Offset: h.offset}}
	if _, err := h.store.Apply(context.Background(), []schemas.Interaction{in}); err != nil {
		t.Fatal(err)
	}
	b, _ := h.codecs.EncodeInteraction(in)
	w := &kafka.Writer{Addr: kafka.TCP(h.brokers...), Topic: "in", Balancer: &kafka.Murmur2Balancer{}, BatchTimeout: time.Millisecond}
	defer w.Close()
	msg := kafka.Message{Key: []byte(user), Value: b, Headers: []kafka.Header{{Key: scorer.HeaderSourceTime, Value: []byte(strconv.FormatInt(time.Now().UnixMilli(), 10))}}}
	if err := w.WriteMessages(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) announce(t *testing.T, version string, r scorer.Ranker) {
	t.Helper()
	h.mu.Lock()
	h.models[version] = r
	h.mu.Unlock()
	if err := h.store.Promote(context.Background(), "default", version); err != nil {
		t.Fatal(err)
	}
	b, _ := h.codecs.EncodeModelUpdate(schemas.ModelUpdate{Name: "default", Version: version, TrainedAt: time.Now()})
	w := &kafka.Writer{Addr: kafka.TCP(h.brokers...), Topic: "models", BatchTimeout: time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(context.Background(), kafka.Message{Key: []byte("default"), Value: b}); err != nil {
		t.Fatal(err)
	}
}

// next reads the next recommendation from the output topic.
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

func (h *harness) output() *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{Brokers: h.brokers, Topic: "out", GroupID: "reader", StartOffset: kafka.FirstOffset, MaxWait: 50 * time.Millisecond})
}
