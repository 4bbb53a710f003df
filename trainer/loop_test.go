package trainer_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

type env struct {
	brokers []string
	store   *features.Store
	codecs  *schemas.Codecs
	cfg     trainer.Config
}

// newEnv starts a broker and a redis-server and writes n synthetic
// interactions to the log topic.
func newEnv(t *testing.T, n int) *env {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "log"), kfake.SeedTopics(1, "models"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { rdb.Close() })
	codecs, _ := schemas.NewCodecs()
	e := &env{brokers: cluster.ListenAddrs(), store: features.New(rdb, features.Config{}), codecs: codecs}
	e.cfg = trainer.Config{Brokers: e.brokers, Topic: "log", ModelsTopic: "models", Interval: time.Hour}
	e.write(t, 0, n)
	return e
}

// write sends synthetic events [from, to) of one fixed stream as interactions.
func (e *env) write(t *testing.T, from, to int) {
	t.Helper()
	gen, err := synth.New(synth.Config{Users: 120, Products: 200})
	if err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: "log", Balancer: &kafka.Murmur2Balancer{}, BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll} // acknowledged: in the log before a replay lists its offsets
	defer w.Close()
	var msgs []kafka.Message
	k := -1
	for ev := range gen.Events() {
		if k++; k < from {
			continue
		}
		if k == to {
			break
		}
		in := schemas.Interaction{EventID: ev.EventID, UserID: ev.UserID, Type: ev.Type, ProductGID: ev.Product, Quantity: 1, Time: ev.Time}
		b, err := e.codecs.EncodeInteraction(in)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(in.UserID), Value: b})
	}
	msgs = append(msgs, msgs[0]) // an at-least-once replay in the log
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

func (e *env) stage(t *testing.T, cfg trainer.Config) *trainer.Stage {
	t.Helper()
	s, err := trainer.New(cfg, e.store, trainer.Builtin(), slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFirstRunPromotesAndAnnouncesWithLineage(t *testing.T) {
	e := newEnv(t, 3000)
	ctx := context.Background()
	res, err := e.stage(t, e.cfg).TrainOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Promoted || res.Version != "v1" {
		t.Fatalf("result = %+v; want v1 promoted", res)
	}
	if cur, _ := e.store.CurrentVersion(ctx, "default"); cur != "v1" {
		t.Fatalf("current = %q", cur)
	}
	u := readAnnouncement(t, e)
	var total int64
	for _, r := range u.Offsets {
		total += r.End - r.Start
	}
	if u.Version != "v1" || total != 3001 || u.Metrics["events"] != 3000 {
		t.Fatalf("announcement %+v: want v1 over 3001 offsets with 3000 distinct events", u)
	}
	if u.Metrics["holdout_ndcg@10"] <= u.Metrics["popularity_ndcg@10"] {
		t.Errorf("candidate NDCG %.3f not above popularity %.3f", u.Metrics["holdout_ndcg@10"], u.Metrics["popularity_ndcg@10"])
	}
	blob, _, err := e.store.LoadModel(ctx, "default", "v1")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := trainer.DecodeSnapshot(blob, trainer.Builtin())
	if err != nil || snap.Version() != "v1" {
		t.Fatalf("decoding the stored snapshot: %v", err)
	}
}

func readAnnouncement(t *testing.T, e *env) schemas.ModelUpdate {
	t.Helper()
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: e.brokers, Topic: "models", Partition: 0, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("no announcement: %v", err)
		}
		u, err := e.codecs.DecodeModelUpdate(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
}

func TestGateRefusesADeliberatelyWorseModelAndPromotesABetterOne(t *testing.T) {
	e := newEnv(t, 2500)
	ctx := context.Background()
	if res, err := e.stage(t, e.cfg).TrainOnce(ctx); err != nil || !res.Promoted {
		t.Fatalf("first run: %+v %v", res, err)
	}
	if res, err := e.stage(t, e.cfg).TrainOnce(ctx); err != nil || res.Promoted {
		t.Fatalf("a rerun without new data was promoted: %+v %v", res, err)
	}
	e.write(t, 2500, 5000)
	worse := e.cfg
	worse.Blend = map[string]float64{"popularity": 1}
	res, err := e.stage(t, worse).TrainOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Promoted {
		t.Fatalf("popularity-only model promoted over transitions: %s", res.Reason)
	}
	if cur, _ := e.store.CurrentVersion(ctx, "default"); cur != "v1" {
		t.Fatalf("current = %q after a rejected run; want v1", cur)
	}
	t.Log(res.Reason)
	res, err = e.stage(t, e.cfg).TrainOnce(ctx)
	if err != nil || !res.Promoted || res.Update.PreviousVersion != "v1" {
		t.Fatalf("retraining the same model on new data: %+v %v; want promoted over v1", res, err)
	}
	t.Log(res.Reason)
}

func TestCancelledTrainingKeepsTheCurrentModel(t *testing.T) {
	e := newEnv(t, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.stage(t, e.cfg).TrainOnce(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if _, err := e.store.CurrentVersion(context.Background(), "default"); !errors.Is(err, features.ErrNotFound) {
		t.Fatalf("a cancelled run left a current model: %v", err)
	}
}

func TestTooLittleDataIsSkipped(t *testing.T) {
	e := newEnv(t, 10)
	res, err := e.stage(t, e.cfg).TrainOnce(context.Background())
	if err != nil || res.Promoted {
		t.Fatalf("res = %+v, err = %v; want skipped", res, err)
	}
}

func TestConfigValidateNamesUnknownAlgorithms(t *testing.T) {
	err := trainer.Config{Blend: map[string]float64{"nope": 1}}.Validate(trainer.Builtin())
	if err == nil || !containsAll(err.Error(), "no brokers", `"nope"`) {
		t.Fatalf("err = %v", err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestTunedBlendWeightsAreUsedAndRecorded(t *testing.T) {
	e := newEnv(t, 4000)
	cfg := e.cfg
	cfg.TuneBlend = true
	cfg.Blend = map[string]float64{"transitions": 1, "popularity": 1}
	res, err := e.stage(t, cfg).TrainOnce(context.Background())
	if err != nil || !res.Promoted {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	m := res.Update.Metrics
	if m["weight_transitions"] <= m["weight_popularity"] || m["tuning_ndcg@10"] <= 0 {
		t.Fatalf("tuned weights %v: want transitions above popularity on sequential data", m)
	}
}

// runsOf reads the runs counted and timed for outcome.
func runsOf(t *testing.T, reg *prometheus.Registry, outcome string) (counted, timed uint64) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != 1 || m.GetLabel()[0].GetValue() != outcome {
				continue
			}
			switch f.GetName() {
			case "recsys_trainer_runs_total":
				counted += uint64(m.GetCounter().GetValue())
			case "recsys_trainer_run_seconds":
				timed += m.GetHistogram().GetSampleCount()
			}
		}
	}
	return counted, timed
}

func TestEveryRunIsCountedAndTimedByItsOutcome(t *testing.T) {
	e := newEnv(t, 10)
	reg := prometheus.NewRegistry()
	s, err := trainer.New(e.cfg, e.store, trainer.Builtin(), slog.New(slog.NewTextHandler(io.Discard, nil)), reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrainOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.TrainOnce(ctx); err == nil {
		t.Fatal("a cancelled run succeeded")
	}
	for _, outcome := range []string{"skipped", "cancelled"} {
		if counted, timed := runsOf(t, reg, outcome); counted != 1 || timed != 1 {
			t.Errorf("%s runs: counted %d, timed %d; want 1 and 1", outcome, counted, timed)
		}
	}
	if counted, timed := runsOf(t, reg, "promoted"); counted != 0 || timed != 0 {
		t.Errorf("promoted runs: counted %d, timed %d; want none", counted, timed)
	}
}
