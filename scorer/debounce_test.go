package scorer_test

import (
	"testing"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

func TestABurstGetsOneListAtOnceAndOneTrailingListForItsLatestEvent(t *testing.T) {
	t.Parallel()
	const window = 1500 * time.Millisecond
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3)})
	h.start(t, scorer.Config{N: 2, Debounce: window})
	rd := h.output(t)

	sent := time.Now()
	first := h.interact(t, "u", schemas.View, 7)
	nextFor(t, rd, "u", first)
	if waited := time.Since(sent); waited >= window {
		t.Fatalf("the first event of a burst waited %v; want it answered at once", waited)
	}
	led := time.Now()
	h.interact(t, "u", schemas.View, 8)
	last := h.interact(t, "u", schemas.AddToCart, 8)
	// Another shopper's lone event is not held up by u's burst.
	lone := h.interact(t, "v", schemas.View, 7)
	for {
		r, _ := next(t, rd)
		if r.UserID == "v" {
			if r.Trigger.EventID != lone || time.Since(led) >= window {
				t.Fatalf("v's lone event: list %+v after %v; want it at once", r.Trigger, time.Since(led))
			}
			continue
		}
		if r.Trigger.EventID != last {
			t.Fatalf("u's burst answered by %s; want one trailing list for its latest event %s", r.Trigger.EventID, last)
		}
		if waited := time.Since(led); waited < window-100*time.Millisecond {
			t.Fatalf("trailing list after %v; want it at the end of the %v window", waited, window)
		}
		break
	}
	h.caughtUp(t, "g") // the held events are committed once answered
}

func TestEventsWaitingForATrailingListAreAnsweredOnShutdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3)})
	_, stop := h.start(t, scorer.Config{N: 2, Debounce: time.Hour})
	rd := h.output(t)
	nextFor(t, rd, "u", h.interact(t, "u", schemas.View, 7))
	waiting := h.interact(t, "u", schemas.View, 8)
	// A later event on u's partition: once it is answered, u's was fetched.
	v := userOnPartition(partitionOf("u"), "v")
	nextFor(t, rd, v, h.interact(t, v, schemas.View, 7))
	stop()
	if r, _ := next(t, rd); r.Trigger.EventID != waiting {
		t.Fatalf("after shutdown: list for %s; want the waiting %s", r.Trigger.EventID, waiting)
	}
	h.caughtUp(t, "g")
}
