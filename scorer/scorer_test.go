package scorer_test

import (
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

func gids(ids ...uint64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, schemas.ProductGID(id))
	}
	return out
}

func TestNewModelVersionIsHotSwappedWithoutStopping(t *testing.T) {
	h := newHarness(t)
	h.announce(t, "v1", fixedRanker{"v1", gids(1, 2, 3, 4)})
	h.start(t, scorer.Config{N: 3, ExcludeSeen: false})
	rd := h.output()
	defer rd.Close()

	h.interact(t, "u1", schemas.View, 9)
	r, m := next(t, rd)
	if r.ModelVersion != "v1" || !slices.Equal(itemsOf(r), gids(1, 2, 3)) {
		t.Fatalf("first list = %+v; want v1's items", r)
	}
	if _, ok := scorer.SourceTime(m.Headers); !ok {
		t.Error("source-time header not propagated")
	}
	h.announce(t, "v2", fixedRanker{"v2", gids(5, 6, 7)})
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

func TestPurchasedItemsAreExcludedAndShortListsBackfilled(t *testing.T) {
	h := newHarness(t)
	h.announce(t, "v1", fixedRanker{"v1", gids(1, 2)})
	for _, p := range []uint64{3, 4, 5} { // popularity from another shopper: the backfill source
		h.interact(t, "other", schemas.Purchase, p)
	}
	h.interact(t, "u", schemas.Purchase, 1)
	h.start(t, scorer.Config{N: 4, ExcludeSeen: false})
	rd := h.output()
	defer rd.Close()
	h.interact(t, "u", schemas.View, 2)
	r := nextFor(t, rd, "u", "e5")
	got := itemsOf(r)
	if len(got) != 4 || got[0] != schemas.ProductGID(2) || slices.Contains(got, schemas.ProductGID(1)) {
		t.Fatalf("list = %v; want 4 items led by the model's 2, never the purchased 1", got)
	}
	if r.Reason != schemas.ReasonPersonalized {
		t.Errorf("reason = %q", r.Reason)
	}
}

func TestWithoutAModelPopularityIsServed(t *testing.T) {
	h := newHarness(t)
	h.interact(t, "a", schemas.Purchase, 7)
	h.start(t, scorer.Config{N: 2, ExcludeSeen: true})
	rd := h.output()
	defer rd.Close()
	h.interact(t, "b", schemas.View, 8)
	r := nextFor(t, rd, "b", "e2")
	if r.ModelVersion != "popularity" || r.Reason != schemas.ReasonPopular {
		t.Fatalf("cold start list = %+v", r)
	}
	if got := itemsOf(r); !slices.Equal(got, gids(7)) {
		t.Fatalf("items = %v; want the popular 7 and never the seen 8", got)
	}
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
