package features_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/schemas"
)

// newStore returns a Store on a fresh redis-server with a per-test prefix.
func newStore(t testing.TB, cfg features.Config) (*features.Store, *redis.Client) {
	t.Helper()
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { rdb.Close() })
	if cfg.Prefix == "" {
		cfg.Prefix = "t"
	}
	return features.New(rdb, cfg), rdb
}

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func interaction(user, eid string, typ schemas.EventType, product int, off int64) schemas.Interaction {
	return schemas.Interaction{EventID: eid, UserID: user, Type: typ, ProductGID: schemas.ProductGID(uint64(product)),
		Quantity: 1, Time: t0.Add(time.Duration(off) * time.Minute),
		Source: schemas.Offset{Topic: "in", Partition: 0, Offset: off}}
}

func TestApplyIsIdempotentAndTellsReplaysFromDuplicates(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	batch := []schemas.Interaction{
		interaction("u1", "e1", schemas.View, 1, 0),
		interaction("u1", "e2", schemas.AddToCart, 1, 1),
		interaction("u1", "e3", schemas.Purchase, 1, 2),
		interaction("u2", "e4", schemas.View, 2, 3),
	}
	out, err := s.Apply(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for k, o := range out {
		if o != features.Applied {
			t.Fatalf("event %d: %v, want applied", k, o)
		}
	}
	pop1, _ := s.Popular(ctx, 10)
	// The same records again (redelivery): replayed, nothing doubles.
	out, err = s.Apply(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for k, o := range out {
		if o != features.Replayed {
			t.Fatalf("redelivered event %d: %v, want replayed", k, o)
		}
	}
	// The same event id from another offset: a genuine duplicate.
	dup := interaction("u1", "e1", schemas.View, 1, 10)
	out, err = s.Apply(ctx, []schemas.Interaction{dup})
	if err != nil || out[0] != features.Duplicate {
		t.Fatalf("duplicate: %v %v", out, err)
	}
	pop2, _ := s.Popular(ctx, 10)
	if fmt.Sprint(pop1) != fmt.Sprint(pop2) {
		t.Fatalf("popularity changed on redelivery: %v -> %v", pop1, pop2)
	}
	u, err := s.Users(ctx, []string{"u1"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(u[0].History) != 3 || u[0].History[0].EventID != "e1" || u[0].History[2].Type != schemas.Purchase {
		t.Fatalf("history = %+v", u[0].History)
	}
	if _, ok := u[0].Purchased[schemas.ProductGID(1)]; !ok || len(u[0].Purchased) != 1 {
		t.Fatalf("purchased = %v", u[0].Purchased)
	}
}

func TestHistoryIsCappedAndOrderedByEventTime(t *testing.T) {
	s, _ := newStore(t, features.Config{HistoryLen: 5})
	ctx := context.Background()
	var batch []schemas.Interaction
	for k := 9; k >= 0; k-- { // arrive newest first
		batch = append(batch, interaction("u", fmt.Sprint("e", k), schemas.View, k+1, int64(k)))
	}
	if _, err := s.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, "u", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 5 {
		t.Fatalf("len = %d, want 5", len(h))
	}
	for k, e := range h {
		if want := fmt.Sprint("e", k+5); e.EventID != want {
			t.Fatalf("history[%d] = %s, want %s", k, e.EventID, want)
		}
	}
}

func TestPopularityRanksByDecayedWeight(t *testing.T) {
	s, _ := newStore(t, features.Config{PopularityHalfLife: time.Hour})
	ctx := context.Background()
	old := interaction("a", "e1", schemas.Purchase, 1, 0) // weight 5, 10 half-lives old
	var batch = []schemas.Interaction{old}
	for k := 0; k < 2; k++ {
		e := interaction("b", fmt.Sprint("v", k), schemas.View, 2, int64(600+k))
		batch = append(batch, e)
	}
	if _, err := s.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	pop, err := s.Popular(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(pop) != 2 || pop[0].ProductGID != schemas.ProductGID(2) || pop[0].Score != 1 || pop[1].Score > 0.01 {
		t.Fatalf("popular = %+v; want recent views above an old purchase", pop)
	}
}

func TestPopularityIsAddedApartFromTheUserEffectsAndOnce(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	batch := []schemas.Interaction{interaction("a", "e1", schemas.View, 1, 1), interaction("b", "e2", schemas.View, 1, 1)}
	batch[1].Source.Offset = 2
	out, err := s.ApplyUsers(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	popular := func() []schemas.ScoredItem {
		t.Helper()
		pop, err := s.Popular(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		return pop
	}
	if pop := popular(); len(pop) != 0 {
		t.Fatalf("popular after ApplyUsers = %+v; want nothing yet", pop)
	}
	if h, _ := s.History(ctx, "a", 10); len(h) != 1 {
		t.Fatalf("history of a = %+v; want the view", h)
	}
	for range 2 { // a retried call adds nothing more
		if err := s.AddPopularity(ctx, batch, out); err != nil {
			t.Fatal(err)
		}
	}
	other := []schemas.Interaction{interaction("c", "e3", schemas.View, 2, 1)}
	other[0].Source.Offset = 3
	if _, err := s.Apply(ctx, other); err != nil {
		t.Fatal(err)
	}
	if pop := popular(); len(pop) != 2 || pop[0].ProductGID != schemas.ProductGID(1) || math.Abs(pop[1].Score-0.5) > 1e-9 {
		t.Fatalf("popular = %+v; want product 2 at half of product 1's two views", pop)
	}
}

func TestModelsAreChunkedVerifiedPromotedAndPruned(t *testing.T) {
	s, rdb := newStore(t, features.Config{ChunkSize: 1024})
	ctx := context.Background()
	if _, err := s.CurrentVersion(ctx, "m"); !errors.Is(err, features.ErrNotFound) {
		t.Fatalf("no model yet: err = %v", err)
	}
	blob := make([]byte, 5000)
	for k := range blob {
		blob[k] = byte(k)
	}
	var versions []string
	for k := 0; k < 4; k++ {
		v, err := s.NextVersion(ctx, "m")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveModel(ctx, "m", v, blob); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
		time.Sleep(2 * time.Millisecond)
	}
	if err := s.Promote(ctx, "m", versions[0]); err != nil {
		t.Fatal(err)
	}
	got, info, err := s.LoadModel(ctx, "m", versions[3])
	if err != nil || string(got) != string(blob) || info.Chunks != 5 {
		t.Fatalf("load: chunks=%d err=%v equal=%v", info.Chunks, err, string(got) == string(blob))
	}
	deleted, err := s.PruneModels(ctx, "m", 2)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(deleted) != fmt.Sprint([]string{versions[1]}) {
		t.Fatalf("pruned %v; want only %s (the current %s is kept)", deleted, versions[1], versions[0])
	}
	// A corrupted chunk is detected, not served.
	rdb.Set(ctx, "t:{model:m}:"+versions[3]+":2", "garbage", 0)
	if _, _, err := s.LoadModel(ctx, "m", versions[3]); err == nil {
		t.Fatal("corrupted snapshot loaded without error")
	}
}

func TestCatalogResolvesHandlesAndDelists(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	p := schemas.Product{GID: schemas.ProductGID(7), Handle: "blue-mug", Title: "Blue mug", Available: true}
	if err := s.PutProducts(ctx, []schemas.Product{p}); err != nil {
		t.Fatal(err)
	}
	m, err := s.ResolveHandles(ctx, []string{"blue-mug", "nope"})
	if err != nil || m["blue-mug"] != p.GID || len(m) != 1 {
		t.Fatalf("resolve = %v, %v", m, err)
	}
	if err := s.Delist(ctx, []string{p.GID}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Products(ctx, []string{p.GID})
	if got[p.GID].Available || got[p.GID].Title != "Blue mug" {
		t.Fatalf("after delist: %+v", got[p.GID])
	}
}

func TestEveryCatalogWriteChangesTheCatalogVersion(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	gid := schemas.ProductGID(7)
	version := func() int64 {
		t.Helper()
		v, err := s.CatalogVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if err := s.PutProducts(ctx, []schemas.Product{{GID: gid, Category: "mugs", Available: true}}); err != nil {
		t.Fatal(err)
	}
	v1 := version()
	ps, at, err := s.ProductsAt(ctx, []string{gid, schemas.ProductGID(8)})
	if err != nil || at != v1 || len(ps) != 1 || ps[gid].Category != "mugs" {
		t.Fatalf("ProductsAt = %v at %d, %v; want the mug at version %d", ps, at, err, v1)
	}
	if err := s.Delist(ctx, []string{gid}); err != nil {
		t.Fatal(err)
	}
	if v2 := version(); v1 == v0 || v2 == v1 {
		t.Errorf("versions %d, %d, %d; want a new one after each write", v0, v1, v2)
	}
}

func TestRecommendationCache(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	if _, err := s.Recommendation(ctx, "u"); !errors.Is(err, features.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	r := schemas.Recommendation{UserID: "u", ModelVersion: "v1", Items: []schemas.ScoredItem{{ProductGID: "gid://shopify/Product/1", Score: 1}}}
	if err := s.PutRecommendations(ctx, []schemas.Recommendation{r}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Recommendation(ctx, "u")
	if err != nil || got.ModelVersion != "v1" || len(got.Items) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestConfigValidateReportsEveryRule(t *testing.T) {
	err := features.Config{HistoryLen: -1, ChunkSize: 10, Weights: map[schemas.EventType]float64{"click": 1}}.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"lengths", "chunk", "click"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestTheSameEventTwiceInOneBatchIsADuplicate(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	first := interaction("u", "e1", schemas.View, 1, 0)
	again := interaction("u", "e1", schemas.View, 1, 1)
	other := interaction("v", "e2", schemas.View, 2, 2)
	out, err := s.Apply(context.Background(), []schemas.Interaction{first, other, again})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != features.Applied || out[1] != features.Applied || out[2] != features.Duplicate {
		t.Fatalf("outcomes = %v; want applied, applied, duplicate", out)
	}
	if h, _ := s.History(context.Background(), "u", 10); len(h) != 1 {
		t.Fatalf("history = %v; want one entry", h)
	}
}
