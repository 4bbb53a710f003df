package ingest_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

func TestDuplicateEventsAreCountedAndNotProduced(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	ts := t0.Add(-time.Hour)
	resent := h.event(schemas.Event{UserID: "u2", Type: schemas.View, Product: "2", SessionID: "s", Time: ts}) // no event id
	resentLater := resent
	resentLater.Time = t0.Add(time.Minute)
	h.produce(
		h.event(schemas.Event{EventID: "e1", UserID: "u1", Type: schemas.View, Product: "1", Time: ts}),
		h.event(schemas.Event{EventID: "e1", UserID: "u1", Type: schemas.View, Product: "1", Time: ts}),
		resent, resentLater,
		kafka.Message{Key: []byte("u3"), Time: t0, Value: []byte(`[
			{"event_id":"e3","user_id":"u3","type":"purchase","product":"3","ts":"2026-03-02T11:00:00Z"},
			{"event_id":"e3","user_id":"u3","type":"purchase","product":"3","ts":"2026-03-02T11:00:00Z"}]`)},
	)
	r := h.start(h.cfg)
	eventually(t, "6 events handled", func() bool { return r.events() == 6 })
	r.stop()

	if a, d := r.outcome("applied"), r.outcome("duplicate"); a != 3 || d != 3 {
		t.Errorf("applied %v, duplicate %v; want 3 and 3", a, d)
	}
	out := h.readAll(h.cfg.OutputTopic)
	if got := h.interactions(out); len(out) != 3 || len(got) != 3 {
		t.Errorf("%d output records (%d distinct), want 3", len(out), len(got))
	}
	for _, u := range []string{"u1", "u2", "u3"} {
		if hist, err := h.store.History(context.Background(), u, 10); err != nil || len(hist) != 1 {
			t.Errorf("history of %s: %+v, %v; want one entry", u, hist, err)
		}
	}
	if n := len(h.readAll(h.cfg.DLQTopic)); n != 0 {
		t.Errorf("%d duplicates went to the DLQ", n)
	}
}

// stream returns users×perUser events, one record each, in time order per user.
func stream(h *harness, users, perUser int) [][]kafka.Message {
	byStep := make([][]kafka.Message, perUser)
	for j := range perUser {
		for u := range users {
			typ := schemas.EventTypes[(u+j)%len(schemas.EventTypes)]
			byStep[j] = append(byStep[j], h.event(schemas.Event{
				EventID: fmt.Sprintf("u%02d-%02d", u, j), UserID: fmt.Sprintf("u%02d", u), Type: typ,
				Product: fmt.Sprint(1 + (u*7+j)%13), Time: t0.Add(-2*time.Hour + time.Duration(j)*time.Minute),
			}))
		}
	}
	return byStep
}

func TestCancelAndRestartInTheSameGroupAppliesEveryEventOnceAndLosesNone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	const users, perUser = 20, 15
	cfg := h.cfg
	cfg.BatchSize = 8
	steps := stream(h, users, perUser)
	h.produce(slices.Concat(steps[:perUser/2]...)...)
	first := h.start(cfg)
	eventually(t, "the first stage to apply some events", func() bool { return first.outcome("applied") >= 40 })
	h.produce(slices.Concat(steps[perUser/2:]...)...)
	first.stop()
	second := h.start(cfg)
	eventually(t, "every record committed", func() bool { return h.committed(cfg.GroupID, cfg.Topic) == users*perUser })
	second.stop()

	got := h.interactions(h.readAll(cfg.OutputTopic))
	if len(got) != users*perUser {
		t.Fatalf("%d distinct interactions on the output topic, want %d", len(got), users*perUser)
	}
	ctx := context.Background()
	for u := range users {
		hist, err := h.store.History(ctx, fmt.Sprintf("u%02d", u), 100)
		if err != nil || len(hist) != perUser {
			t.Fatalf("history of u%02d has %d entries (%v), want %d", u, len(hist), err, perUser)
		}
	}
	want := referencePopularity(t, h, got)
	assertPopularity(t, h.store, want)

	// A fresh group reprocesses the whole topic: every event is a replay and
	// forwarded again; Redis does not change.
	again := cfg
	again.GroupID += "-reprocess"
	again.CatalogTopic = ingest.CatalogOff
	third := h.start(again)
	eventually(t, "every event replayed", func() bool { return third.outcome("replayed") == users*perUser })
	third.stop()
	if a := third.outcome("applied"); a != 0 {
		t.Errorf("reprocessing applied %v events again", a)
	}
	assertPopularity(t, h.store, want)
	hist, err := h.store.History(ctx, "u00", 100)
	if err != nil || len(hist) != perUser {
		t.Errorf("after reprocessing, history of u00 has %d entries (%v)", len(hist), err)
	}
}

func TestCommitsInTheBackgroundAreFlushedWhenTheStageStops(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	const users, perUser = 10, 6
	steps := stream(h, users, perUser)
	running := h.cfg
	running.CommitInterval = 20 * time.Millisecond
	first := h.start(running)
	h.produce(slices.Concat(steps[:perUser/2]...)...)
	eventually(t, "commits while running", func() bool { return h.committed(running.GroupID, running.Topic) == users*perUser/2 })
	first.stop()

	// An interval longer than the test: only the flush at shutdown commits.
	stopping := running
	stopping.CommitInterval = time.Hour
	second := h.start(stopping)
	h.produce(slices.Concat(steps[perUser/2:]...)...)
	eventually(t, "every event applied", func() bool { return second.outcome("applied") == users*perUser/2 })
	second.stop()
	if c := h.committed(stopping.GroupID, stopping.Topic); c != users*perUser {
		t.Fatalf("committed %d offsets after stopping, want %d", c, users*perUser)
	}
}

// referencePopularity applies the interactions once, in source order, to a
// fresh prefix of the same Redis and returns its popularity.
func referencePopularity(t *testing.T, h *harness, ins map[string]schemas.Interaction) []schemas.ScoredItem {
	t.Helper()
	all := slices.Collect(func(yield func(schemas.Interaction) bool) {
		for _, in := range ins {
			if !yield(in) {
				return
			}
		}
	})
	slices.SortFunc(all, func(a, b schemas.Interaction) int {
		return cmp.Or(cmp.Compare(a.Source.Partition, b.Source.Partition), cmp.Compare(a.Source.Offset, b.Source.Offset))
	})
	ref := features.New(h.store.Client(), features.Config{Prefix: h.name + "-ref"})
	if _, err := ref.Apply(context.Background(), all); err != nil {
		t.Fatal(err)
	}
	pop, err := ref.Popular(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return pop
}

func assertPopularity(t *testing.T, s *features.Store, want []schemas.ScoredItem) {
	t.Helper()
	got, err := s.Popular(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("popularity has %d products, want %d", len(got), len(want))
	}
	for k := range got {
		if got[k].ProductGID != want[k].ProductGID || math.Abs(got[k].Score-want[k].Score) > 1e-9 {
			t.Fatalf("popularity #%d is %+v, want %+v (replays must not count twice)", k, got[k], want[k])
		}
	}
}

func TestRedisDownStopsCommitsAndIngestCatchesUpAfterItsRestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{persistRedis: true})
	const users = 10
	cfg := h.cfg
	cfg.CatalogTopic = ingest.CatalogOff
	steps := stream(h, users, 4)
	r := h.start(cfg)
	h.produce(slices.Concat(steps[:2]...)...)
	eventually(t, "the first events committed", func() bool { return h.committed(cfg.GroupID, cfg.Topic) == 2*users })

	h.redis.Stop()
	h.produce(slices.Concat(steps[2:]...)...)
	time.Sleep(1500 * time.Millisecond) // let ingest fail and retry a few times
	if c := h.committed(cfg.GroupID, cfg.Topic); c != 2*users {
		t.Fatalf("committed %d offsets while Redis was down, want %d", c, 2*users)
	}
	if n := len(h.readAll(cfg.OutputTopic)); n != 2*users {
		t.Fatalf("%d interactions produced while Redis was down, want %d", n, 2*users)
	}
	if n := metric(r.reg, "recsys_ingest_retries_total", "applying to redis"); n < 1 {
		t.Fatalf("%v retries of Redis counted while it was down, want some", n)
	}

	if err := h.redis.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every record committed", func() bool { return h.committed(cfg.GroupID, cfg.Topic) == 4*users })
	r.stop()
	if a := r.outcome("applied"); a != 4*users {
		t.Errorf("applied %v events, want %d", a, 4*users)
	}
	if got := h.interactions(h.readAll(cfg.OutputTopic)); len(got) != 4*users {
		t.Errorf("%d distinct interactions, want %d", len(got), 4*users)
	}
	for u := range users {
		if hist, err := h.store.History(context.Background(), fmt.Sprintf("u%02d", u), 10); err != nil || len(hist) != 4 {
			t.Errorf("history of u%02d: %d entries (%v), want 4", u, len(hist), err)
		}
	}
}

func TestCancelWhileRedisIsDownReturnsWithinTheShutdownTimeoutAndLeavesTheBatchForTheNextRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{persistRedis: true})
	const users = 5
	cfg := h.cfg
	cfg.CatalogTopic = ingest.CatalogOff
	cfg.ShutdownTimeout = 300 * time.Millisecond
	h.redis.Stop()
	h.produce(slices.Concat(stream(h, users, 2)...)...)
	r := h.start(cfg)
	time.Sleep(300 * time.Millisecond) // the batch is in hand, failing
	start := time.Now()
	r.stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v to return after cancel, with a 300ms shutdown timeout", d)
	}
	if c := h.committed(cfg.GroupID, cfg.Topic); c != 0 {
		t.Fatalf("committed %d offsets of a batch that never reached Redis", c)
	}

	if err := h.redis.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	next := h.start(cfg)
	eventually(t, "every record committed", func() bool { return h.committed(cfg.GroupID, cfg.Topic) == 2*users })
	next.stop()
	if a := next.outcome("applied"); a != 2*users {
		t.Errorf("the next run applied %v events, want %d", a, 2*users)
	}
}
