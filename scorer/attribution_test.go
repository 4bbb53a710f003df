package scorer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

func TestConversionsAreAttributedToTheRecommendingVersionsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3)})
	h.announce(t, "candidate", "c1", fixedRanker{version: "c1", items: gids(3, 4)})
	h.start(t, scorer.Config{N: 3, ShadowModel: "candidate", Rules: scorer.Rules{ExcludeSeen: true}})
	rd, shadow := h.output(t), h.reader(t, "shadow")
	first := h.interact(t, "u", schemas.View, 9)
	if r := nextFor(t, rd, "u", first); r.ModelVersion != "v1" || !slices.Equal(itemsOf(r), gids(1, 2, 3)) {
		t.Fatalf("served list = %+v", r)
	}
	if r := nextFor(t, shadow, "u", first); r.ModelVersion != "c1" || !slices.Equal(itemsOf(r), gids(3, 4)) {
		t.Fatalf("shadow list = %+v; want the candidate's 3, 4 on the shadow topic", r)
	}
	// One at a time, so no list is computed from state ahead of its trigger.
	for _, e := range []struct {
		typ     schemas.EventType
		product uint64
	}{
		{schemas.View, 3},      // click-through: both lists had 3
		{schemas.AddToCart, 2}, // only the served list had 2
		{schemas.Purchase, 4},  // only the shadow had 4
		{schemas.Purchase, 8},  // recommended by nobody
	} {
		nextFor(t, rd, "u", h.interact(t, "u", e.typ, e.product))
	}
	h.caughtUp(t, "g")

	want := map[features.ListKey]map[schemas.EventType]int64{
		{Role: features.RoleServing, Version: "v1"}: {schemas.View: 1, schemas.AddToCart: 1},
		{Role: features.RoleShadow, Version: "c1"}:  {schemas.View: 1, schemas.Purchase: 1},
	}
	before := checkTotals(t, h, want)

	// Another group replaying the whole log counts nothing twice.
	_, stop := h.start(t, scorer.Config{N: 3, ShadowModel: "candidate", GroupID: "replay", Rules: scorer.Rules{ExcludeSeen: true}})
	h.caughtUp(t, "replay")
	stop()
	after := checkTotals(t, h, want)
	for key := range want {
		if after[key].Lists != before[key].Lists {
			t.Errorf("%v: %d lists after the replay; want the %d before it", key, after[key].Lists, before[key].Lists)
		}
	}
}

func checkTotals(t *testing.T, h *harness, want map[features.ListKey]map[schemas.EventType]int64) map[features.ListKey]features.AttributionCount {
	t.Helper()
	totals, err := h.store.AttributionTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for key, events := range want {
		got := totals[key]
		if got.Lists < 1 || got.Lists > 5 {
			t.Errorf("%v: %d lists; want 1..5, one per answered event", key, got.Lists)
		}
		for _, typ := range []schemas.EventType{schemas.View, schemas.AddToCart, schemas.Purchase} {
			if got.Events[typ] != events[typ] {
				t.Errorf("%v: %d %s attributed; want %d", key, got.Events[typ], typ, events[typ])
			}
		}
	}
	return totals
}
