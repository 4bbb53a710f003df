package features_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// applyOne applies one interaction in a batch of its own.
func applyOne(t *testing.T, s *features.Store, in schemas.Interaction) features.Outcome {
	t.Helper()
	out, err := s.Apply(context.Background(), []schemas.Interaction{in})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func TestEventIDsAreRememberedWhileTheirEventsAreInTheHistory(t *testing.T) {
	s, rdb := newStore(t, features.Config{Prefix: "t", HistoryLen: 8}) // trims at 8+1
	ctx := context.Background()
	for k := 0; k < 20; k++ {
		if got := applyOne(t, s, interaction("u", fmt.Sprint("e", k), schemas.View, k+1, int64(k))); got != features.Applied {
			t.Fatalf("event %d: %v, want applied", k, got)
		}
	}
	if n := rdb.HLen(ctx, "t:{u:u}:origin").Val(); n > 9 {
		t.Fatalf("%d event ids remembered; want at most the history's 8+1", n)
	}
	if n := rdb.ZCard(ctx, "t:{u:u}:hist").Val(); n > 9 {
		t.Fatalf("history holds %d events; want at most 8+1", n)
	}
	if h, _ := s.History(ctx, "u", 100); len(h) != 8 || h[7].EventID != "e19" {
		t.Fatalf("history = %v; want the last 8 events", h)
	}
	if got := applyOne(t, s, interaction("u", "e19", schemas.View, 20, 19)); got != features.Replayed {
		t.Fatalf("redelivered recent event: %v, want replayed", got)
	}
	if got := applyOne(t, s, interaction("u", "e18", schemas.View, 19, 99)); got != features.Duplicate {
		t.Fatalf("recent event id from another record: %v, want duplicate", got)
	}
	if got := applyOne(t, s, interaction("u", "e0", schemas.View, 1, 0)); got != features.Applied {
		t.Fatalf("event id gone from the history: %v, want applied again", got)
	}
}

func TestSeenIsCappedToTheMostRecentProducts(t *testing.T) {
	s, rdb := newStore(t, features.Config{Prefix: "t", SeenLen: 8})
	ctx := context.Background()
	for k := 0; k < 20; k++ {
		applyOne(t, s, interaction("u", fmt.Sprint("e", k), schemas.View, k+1, int64(k)))
	}
	if n := rdb.ZCard(ctx, "t:{u:u}:seen").Val(); n > 9 {
		t.Fatalf("seen holds %d products; want at most 8+1", n)
	}
	users, err := s.Users(ctx, []string{"u"}, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(users[0].Seen) != 8 {
		t.Fatalf("%d seen products read; want 8", len(users[0].Seen))
	}
	if _, ok := users[0].Seen[schemas.ProductGID(20)]; !ok {
		t.Fatalf("the latest product is missing from seen: %v", users[0].Seen)
	}
}

func TestEveryUserKeyExpiresAndIsRefreshedWhenItsTTLRunsDown(t *testing.T) {
	const ttl = time.Hour
	s, rdb := newStore(t, features.Config{Prefix: "t", UserTTL: ttl})
	ctx := context.Background()
	keys := []string{"t:{u:u}:origin", "t:{u:u}:hist", "t:{u:u}:seen", "t:{u:u}:bought"}
	applyOne(t, s, interaction("u", "e1", schemas.View, 1, 0))
	applyOne(t, s, interaction("u", "e2", schemas.Purchase, 1, 1)) // bought is created with a fresh origin TTL
	for _, k := range keys {
		if left := rdb.PTTL(ctx, k).Val(); left < ttl-time.Minute || left > ttl {
			t.Fatalf("%s: TTL %v, want about %v", k, left, ttl)
		}
	}
	for _, k := range keys {
		rdb.PExpire(ctx, k, 10*time.Minute) // run down: the next event refreshes all
	}
	applyOne(t, s, interaction("u", "e3", schemas.View, 2, 2))
	for _, k := range keys {
		if left := rdb.PTTL(ctx, k).Val(); left < ttl-time.Minute {
			t.Fatalf("%s: TTL %v after a new event, want it refreshed to about %v", k, left, ttl)
		}
	}
}

func TestPopularityCountsAnOverlappingRedeliveryOnlyAboveWhatWasApplied(t *testing.T) {
	s, rdb := newStore(t, features.Config{Prefix: "t", PopularityHalfLife: time.Hour})
	ctx := context.Background()
	var events []schemas.Interaction
	for k := 0; k < 30; k++ {
		events = append(events, interaction(fmt.Sprint("u", k%7), fmt.Sprint("e", k), schemas.View, k%4+1, int64(k)))
	}
	for _, batch := range [][]schemas.Interaction{events[:20], events[10:30], events[5:25]} { // the second and third overlap
		if _, err := s.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	epoch, err := rdb.Get(ctx, "t:{pop}:epoch").Int64()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, e := range events {
		want[e.ProductGID] += math.Exp2(float64(e.Time.UnixMilli()-epoch) / float64(time.Hour.Milliseconds()))
	}
	for gid, w := range want {
		got := rdb.ZScore(ctx, "t:{pop}:scores", gid).Val()
		if math.Abs(got/w-1) > 1e-12 {
			t.Errorf("%s: popularity %v, want %v (each event once)", gid, got, w)
		}
	}
}
