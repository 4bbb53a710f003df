package scorer_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

// ruleCase is one business rule checked through a running scorer: the
// catalog has shoes 1–6, hats 11–16 and bags 21–26; setup sends events (the
// scorer answers and tallies them), then shopper "u" views trigger.
type ruleCase struct {
	name    string
	rules   scorer.Rules
	n       int
	model   []uint64 // ranked best first; nil: no model yet
	reason  string   // the model's own reason; "" is personalized
	setup   func(t *testing.T, h *harness)
	trigger uint64
	want    []uint64
	// wantReason of the list; "" is personalized.
	wantReason string
}

var ruleCases = []ruleCase{{
	name:  "purchases are excluded within their window and carts at any time",
	rules: scorer.Rules{ExcludeEvents: map[schemas.EventType]time.Duration{schemas.Purchase: time.Hour, schemas.AddToCart: 0}},
	n:     3, model: []uint64{1, 2, 3, 4, 5},
	setup: func(t *testing.T, h *harness) {
		h.event(t, "u", schemas.Purchase, 1, time.Now().Add(-2*time.Hour))
		h.event(t, "u", schemas.Purchase, 2, time.Now().Add(-time.Minute))
		h.event(t, "u", schemas.AddToCart, 3, time.Now().Add(-time.Minute))
	},
	trigger: 9, want: []uint64{1, 4, 5},
}, {
	name:  "viewed products are down-weighted, not dropped, when seen products are kept",
	rules: scorer.Rules{SeenWeight: 0.1},
	n:     5, model: []uint64{1, 2, 3, 4, 5},
	setup: func(t *testing.T, h *harness) {
		h.interact(t, "u", schemas.View, 1)
		h.interact(t, "u", schemas.View, 2)
	},
	trigger: 9, want: []uint64{3, 4, 5, 1, 2},
}, {
	name: "unavailable and delisted products are never recommended",
	n:    3, model: []uint64{1, 2, 3, 4, 5, 6},
	setup: func(t *testing.T, h *harness) {
		h.catalog(t, "shoes", []uint64{1, 2, 3, 4, 5, 6}, 2)
		if err := h.store.Delist(context.Background(), gids(3)); err != nil {
			t.Fatal(err)
		}
	},
	trigger: 9, want: []uint64{1, 4, 5},
}, {
	name:  "a category cap spreads the list over categories",
	rules: scorer.Rules{CategoryCap: 1},
	n:     3, model: []uint64{1, 2, 11, 12, 21},
	trigger: 9, want: []uint64{1, 11, 21},
}, {
	name:  "pinned products lead and boosted ones rise",
	rules: scorer.Rules{Pinned: gids(26), Boost: map[string]float64{schemas.ProductGID(5): 10}},
	n:     3, model: []uint64{1, 2, 3, 4, 5},
	trigger: 9, want: []uint64{26, 5, 1},
}, {
	name:  "when the rules leave the model nothing, trending backfills with reason backfill",
	rules: scorer.Rules{ExcludeSeen: true},
	n:     2, model: []uint64{1, 2},
	setup: func(t *testing.T, h *harness) {
		h.interact(t, "a", schemas.Purchase, 11)
		h.interact(t, "b", schemas.Purchase, 11)
		h.interact(t, "b", schemas.Purchase, 12)
		h.interact(t, "u", schemas.View, 1)
		h.interact(t, "u", schemas.View, 2)
	},
	trigger: 21, want: []uint64{11, 12}, wantReason: schemas.ReasonBackfill,
}, {
	name:  "a cold shopper gets what trends in the category they just viewed, then overall",
	rules: scorer.Rules{ExcludeSeen: true},
	n:     3, model: []uint64{1, 2, 3}, reason: schemas.ReasonPopular,
	setup: func(t *testing.T, h *harness) {
		for _, p := range []uint64{11, 11, 11, 11, 11, 22, 22, 22, 21, 21} {
			h.interact(t, "other", schemas.View, p)
		}
	},
	trigger: 23, want: []uint64{22, 21, 11}, wantReason: schemas.ReasonPopular,
}}

func TestBusinessRulesApplyInTheStream(t *testing.T) {
	t.Parallel()
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.catalog(t, "shoes", []uint64{1, 2, 3, 4, 5, 6})
			h.catalog(t, "hats", []uint64{11, 12, 13, 14, 15, 16})
			h.catalog(t, "bags", []uint64{21, 22, 23, 24, 25, 26})
			if tc.model != nil {
				h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(tc.model...), reason: tc.reason})
			}
			h.start(t, scorer.Config{N: tc.n, Rules: tc.rules})
			rd := h.output(t)
			if tc.setup != nil {
				tc.setup(t, h)
				h.settle(t, rd)
			}
			r := nextFor(t, rd, "u", h.interact(t, "u", schemas.View, tc.trigger))
			if got := itemsOf(r); !slices.Equal(got, gids(tc.want...)) {
				t.Errorf("list = %v; want %v", got, gids(tc.want...))
			}
			want := tc.wantReason
			if want == "" {
				want = schemas.ReasonPersonalized
			}
			if r.Reason != want {
				t.Errorf("reason = %q; want %q", r.Reason, want)
			}
			if n := h.listsCounted(t, want, 1); n < 1 {
				t.Errorf("lists counted with reason %q: %v; want the list just read", want, n)
			}
			for k := 1; k < len(r.Items); k++ {
				if r.Items[k].Score > r.Items[k-1].Score {
					t.Errorf("scores out of order: %+v", r.Items)
				}
			}
		})
	}
}

func TestNewProductsGetAnExplorationSlot(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.catalog(t, "shoes", []uint64{1, 2, 3, 4, 5, 30})
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3, 4, 5)})
	h.start(t, scorer.Config{N: 4, RefreshInterval: 50 * time.Millisecond,
		Rules: scorer.Rules{ExploreShare: 0.25, ExploreMaxInteractions: 1}})
	rd := h.output(t)
	for _, p := range []uint64{1, 2, 3, 4, 5} {
		h.interact(t, "other", schemas.View, p)
	}
	h.settle(t, rd)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := nextFor(t, rd, "u", h.interact(t, "u", schemas.View, 9))
		got := itemsOf(r)
		if slices.Equal(got, gids(1, 2, 3, 30)) && r.Reason == schemas.ReasonPersonalized {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("list = %v; want the model's best 3 and the unexplored 30 in the last slot", got)
		}
		time.Sleep(50 * time.Millisecond) // the pool refreshes after the tally
	}
}
