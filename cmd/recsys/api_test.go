package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// startServing is startE2E with the ops server (and so the pull API) on a
// free port and a bearer token.
func startServing(t *testing.T, n int, token string) (*e2e, string) {
	t.Helper()
	broker := testBroker(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var e e2e
	e.c.define(newFlagSet("e2e", func(string) string { return "" }, io.Discard))
	e.c.Brokers, e.c.Redis, e.c.MetricsAddr = broker.ListenAddrs(), []string{redisserver.ForTest(t).Addr()}, addr
	e.c.Scorer.N, e.c.API.Token = n, apiToken(token)
	e.c.Scorer.CacheTTL = 200 * time.Millisecond // how late the scorer may see a delisting, ×2
	e.c.Trainer.Interval, e.c.Trainer.Window, e.c.Trainer.MinEvents = time.Second, 365*24*time.Hour, 100
	if err := e.c.finish(); err != nil {
		t.Fatal(err)
	}
	if e.gen, err = synth.New(synth.Config{Users: 200, Products: 300, SessionsPerUser: 4, End: time.Now().UTC().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	rdb := e.c.redisClient()
	t.Cleanup(func() { rdb.Close() })
	e.store = features.New(rdb, e.c.Store)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	e.reg = prometheus.NewRegistry()
	go func() {
		done <- runPipeline(ctx, &e.c, stageNames, slog.New(slog.DiscardHandler), e.reg)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pipeline: %v", err)
		}
	})
	return &e, "http://" + addr
}

// trained sends the catalog and the synthetic history and waits for a model.
func (e *e2e) trained(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := waitFor(ctx, slog.New(slog.DiscardHandler), "topics", func(ctx context.Context) error {
		return sendCatalog(ctx, e.c.Brokers, e.c.Topics.Catalog, e.gen.Catalog())
	}); err != nil {
		t.Fatal(err)
	}
	e.send(t, collectEvents(e.gen))
	if err := waitModel(ctx, e.store, e.c.Trainer.Name); err != nil {
		t.Fatal(err)
	}
	// Promoted is not yet served: every scorer worker swaps it in on the announcement.
	for swaps(e.reg) < float64(e.c.ScorerWorkers) {
		if ctx.Err() != nil {
			t.Fatalf("the scorer workers loaded %v models in time, want %d", swaps(e.reg), e.c.ScorerWorkers)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// swaps is how many model versions the scorer workers have loaded.
func swaps(reg *prometheus.Registry) float64 {
	families, _ := reg.Gather()
	var n float64
	for _, f := range families {
		if f.GetName() == "recsys_scorer_model_swaps_total" {
			for _, m := range f.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// click sends one view per user (of a product chosen by round) and returns
// each user's list for it.
func (e *e2e) click(t *testing.T, users []string, round string) map[string]schemas.Recommendation {
	t.Helper()
	last := map[string]schemas.Event{}
	for k, u := range users {
		p := e.gen.Catalog()[k%len(e.gen.Catalog())]
		last[u] = schemas.Event{EventID: round + "-" + u, UserID: u, Type: schemas.View, Product: p.GID, Time: time.Now().UTC()}
	}
	e.send(t, mapValues(last))
	return e.readLists(t, last)
}

func TestPullAPIExplainAndDelistingOnThePipeline(t *testing.T) {
	e, base := startServing(t, 8, "tok")
	e.trained(t)
	users := e.gen.Users()[:20]
	lists := e.click(t, users, "r1")
	u := users[0]

	get := func(path, token string) (int, schemas.Recommendation) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r schemas.Recommendation
		_ = json.NewDecoder(resp.Body).Decode(&r)
		return resp.StatusCode, r
	}
	// The list is cached while it is produced, so the API may lag the topic
	// by a moment.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		code, r := get("/v1/users/"+u+"/recommendations", "tok")
		if code == 200 && r.RecommendationID == lists[u].RecommendationID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("known user: %d %+v; want their cached list %s", code, r, lists[u].RecommendationID)
		}
	}
	if code, r := get("/v1/users/stranger/recommendations?n=3", "tok"); code != 200 || len(r.Items) != 3 || r.Reason != schemas.ReasonPopular {
		t.Errorf("unknown user: %d %+v; want 3 popular items", code, r)
	}
	if code, _ := get("/v1/users/"+u+"/recommendations", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong token got %d", code)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/healthz: %v %v", resp, err)
	}
	checkExplain(t, e, u, lists[u])

	// A catalog tombstone delists a recommended product: no list has it again.
	gone := lists[u].Items[0].ProductGID
	w := newWriter(e.c.Brokers, e.c.Topics.Catalog)
	defer w.Close()
	if err := w.WriteMessages(context.Background(), kafka.Message{Key: []byte(gone)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ps, err := e.store.Products(context.Background(), []string{gone})
		if err == nil && !ps[gone].Available {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not delisted", gone)
		}
	}
	time.Sleep(2 * e.c.Scorer.CacheTTL) // the scorers' catalog caches catch up
	for user, r := range e.click(t, users, "r2") {
		if slices.ContainsFunc(r.Items, func(it schemas.ScoredItem) bool { return it.ProductGID == gone }) {
			t.Errorf("%s was recommended the delisted %s", user, gone)
		}
	}
}

// checkExplain runs `recsys explain` for user and checks it explains list.
func checkExplain(t *testing.T, e *e2e, user string, list schemas.Recommendation) {
	t.Helper()
	var out bytes.Buffer
	args := []string{"explain", "--user", user, "--json", "--redis", e.c.Redis[0], "--brokers", strings.Join(e.c.Brokers, ",")}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("explain: %v", err)
	}
	var x explanation
	if err := json.Unmarshal(out.Bytes(), &x); err != nil {
		t.Fatalf("explain output: %v\n%s", err, out.String())
	}
	if !x.Cached || x.List.RecommendationID != list.RecommendationID || x.Model == nil || x.Model.Version != list.ModelVersion {
		t.Fatalf("explained %+v; want the cached list %s of %s", x.List, list.RecommendationID, list.ModelVersion)
	}
	if len(x.History) == 0 || len(x.Items) != len(list.Items) {
		t.Fatalf("history %d events, %d items; want history and all %d items", len(x.History), len(x.Items), len(list.Items))
	}
	for _, it := range x.Items {
		if it.Source == "model" && len(it.Parts) == 0 {
			t.Errorf("%s came from the model but has no component scores", it.ProductGID)
		}
	}
	if x.Items[0].Source != "model" {
		t.Errorf("the first item of a personalized list came from %s", x.Items[0].Source)
	}
	out.Reset()
	text := []string{"explain", "--user", user, "--redis", e.c.Redis[0]}
	if err := run(context.Background(), text, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("explain: %v", err)
	}
	for _, want := range []string{"user " + user, "model " + e.c.Trainer.Name + " " + list.ModelVersion, "source"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain text lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("recsys explain:\n%s", out.String())
}
