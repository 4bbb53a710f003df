package scorer_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

func TestNewModelVersionIsHotSwappedWithoutStopping(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3, 4)})
	h.start(t, scorer.Config{N: 3})
	rd := h.output(t)

	h.interact(t, "u1", schemas.View, 9)
	r, m := next(t, rd)
	if r.ModelVersion != "v1" || !slices.Equal(itemsOf(r), gids(1, 2, 3)) {
		t.Fatalf("first list = %+v; want v1's items", r)
	}
	if _, ok := scorer.SourceTime(m.Headers); !ok {
		t.Error("source-time header not propagated")
	}
	h.announce(t, "default", "v2", fixedRanker{version: "v2", items: gids(5, 6, 7)})
	deadline := time.Now().Add(10 * time.Second)
	for r.ModelVersion != "v2" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		h.interact(t, "u1", schemas.View, 9)
		r, _ = next(t, rd)
	}
	if r.ModelVersion != "v2" || !slices.Equal(itemsOf(r), gids(5, 6, 7)) {
		t.Fatalf("after the announcement: %+v; want v2's items", r)
	}
	if r.Trigger.Topic != "in" || r.Trigger.EventID == "" || r.RecommendationID == "" {
		t.Fatalf("trigger/lineage missing: %+v", r)
	}
}

func TestPollsLoadASnapshotOnlyWhenTheCurrentPointerMoved(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.promote(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3)})
	s, _ := h.start(t, scorer.Config{N: 3, PollInterval: 20 * time.Millisecond})
	base := h.gets(t)
	waitUntil(t, 10*time.Second, "ten polls of an unchanged pointer", func() bool { return h.gets(t) >= base+10 })
	if n := h.loadCount(); n != 1 {
		t.Fatalf("%d snapshot loads while the current pointer stayed at v1; want 1", n)
	}
	h.promote(t, "default", "v2", fixedRanker{version: "v2", items: gids(4, 5, 6)})
	waitUntil(t, 10*time.Second, "the poll swaps in v2", func() bool {
		return s.Current() != nil && s.Current().Version() == "v2"
	})
	base = h.gets(t)
	waitUntil(t, 10*time.Second, "ten more polls", func() bool { return h.gets(t) >= base+10 })
	if n := h.loadCount(); n != 2 {
		t.Fatalf("%d snapshot loads after one promotion without an announcement; want 2", n)
	}
}

func TestAPromotionWithoutAnAnnouncementIsPickedUpByTheFirstPoll(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.promote(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3)})
	s, _ := h.start(t, scorer.Config{N: 3, PollInterval: time.Hour})
	waitUntil(t, 10*time.Second, "v1 is loaded", func() bool { return s.Current() != nil })
	// An announcement made now, before the watcher's reader has its
	// position, could be missed: here there is none at all.
	h.promote(t, "default", "v2", fixedRanker{version: "v2", items: gids(4, 5, 6)})
	waitUntil(t, 10*time.Second, "the first poll swaps in v2", func() bool {
		return s.Current() != nil && s.Current().Version() == "v2"
	})
}

func TestPurchasedItemsAreExcludedAndShortListsBackfilled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2)})
	for _, p := range []uint64{3, 4, 5} { // popularity from another shopper: the backfill source
		h.interact(t, "other", schemas.Purchase, p)
	}
	h.interact(t, "u", schemas.Purchase, 1)
	h.start(t, scorer.Config{N: 4})
	rd := h.output(t)
	e := h.interact(t, "u", schemas.View, 2)
	r := nextFor(t, rd, "u", e)
	got := itemsOf(r)
	if len(got) != 4 || got[0] != schemas.ProductGID(2) || slices.Contains(got, schemas.ProductGID(1)) {
		t.Fatalf("list = %v; want 4 items led by the model's 2, never the purchased 1", got)
	}
	if r.Reason != schemas.ReasonPersonalized {
		t.Errorf("reason = %q", r.Reason)
	}
}

func TestWithoutAModelPopularityIsServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.interact(t, "a", schemas.Purchase, 7)
	// A kafka-go Writer serves as the Writer too.
	w := &kafka.Writer{Addr: kafka.TCP(h.brokers...), Balancer: &kafka.Murmur2Balancer{}, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	h.start(t, scorer.Config{N: 2, Rules: scorer.Rules{ExcludeSeen: true}, Writer: w})
	rd := h.output(t)
	e := h.interact(t, "b", schemas.View, 8)
	r := nextFor(t, rd, "b", e)
	if r.ModelVersion != "popularity" || r.Reason != schemas.ReasonPopular {
		t.Fatalf("cold start list = %+v", r)
	}
	if got := itemsOf(r); !slices.Equal(got, gids(7)) {
		t.Fatalf("items = %v; want the popular 7 and never the seen 8", got)
	}
}

func TestRunWithoutAWriterSaysSo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	s, err := scorer.New(scorer.Config{Brokers: h.brokers}, h.store, scorer.Models{Serving: h.loader("default")},
		slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "Writer") {
		t.Fatalf("Run without a Writer: %v; want an error naming the Writer", err)
	}
}
