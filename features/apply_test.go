package features_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
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

// On a Redis Cluster each apply script call takes one user; on one Redis,
// many. Both must leave the same state and report the same outcomes.
func TestOneUserPerScriptCallAppliesTheSameAsMany(t *testing.T) {
	ctx := context.Background()
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	cfg := features.Config{HistoryLen: 8, SeenLen: 6, UserTTL: time.Hour}
	stores := map[int]*features.Store{}
	for _, per := range []int{1, 3, 64} {
		cfg.Prefix = fmt.Sprint("per", per)
		stores[per] = features.New(rdb, cfg)
		features.SetUsersPerScript(stores[per], per)
	}
	var batches [][]schemas.Interaction
	for b := range 4 {
		var batch []schemas.Interaction
		for k := range 40 {
			off := int64(b*40 + k)
			typ := schemas.EventTypes[k%len(schemas.EventTypes)]
			batch = append(batch, interaction(fmt.Sprint("u", k%7), fmt.Sprint("e", off), typ, k%11, off))
		}
		batch = append(batch, batch[3]) // the same record twice: a replay
		dup := batch[5]
		dup.Source.Offset += 1000 // the same event id from another record: a duplicate
		batches = append(batches, append(batch, dup))
	}
	outcomes := map[int][]features.Outcome{}
	for per, s := range stores {
		for _, batch := range append(batches, batches[1]) { // and a whole batch redelivered
			out, err := s.Apply(ctx, batch)
			if err != nil {
				t.Fatalf("%d users per call: %v", per, err)
			}
			outcomes[per] = append(outcomes[per], out...)
		}
	}
	ids := []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6"}
	want, err := stores[64].Users(ctx, ids, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(outcomes[64], features.Duplicate) || !slices.Contains(outcomes[64], features.Replayed) {
		t.Fatalf("the batches should hold duplicates and replays: %v", outcomes[64])
	}
	for _, per := range []int{1, 3} {
		if !slices.Equal(outcomes[per], outcomes[64]) {
			t.Errorf("%d users per call: outcomes %v, want %v", per, outcomes[per], outcomes[64])
		}
		got, err := stores[per].Users(ctx, ids, 8)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d users per call: users %+v, want %+v", per, got, want)
		}
	}
	keys, err := rdb.Keys(ctx, "per*:{u:*").Result()
	if err != nil || len(keys) < 3*3*len(ids) {
		t.Fatalf("%d user keys (%v)", len(keys), err)
	}
	for _, k := range keys {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 {
			t.Errorf("%s has no TTL (%v)", k, ttl)
		}
	}
}

func TestSeenStaysBoundedWhenItIsCheckedOnlyAsTheHistoryIsTrimmed(t *testing.T) {
	s, rdb := newStore(t, features.Config{Prefix: "t", HistoryLen: 8, SeenLen: 16}) // slacks 1 and 2
	ctx := context.Background()
	for k := 0; k < 100; k++ {
		applyOne(t, s, interaction("u", fmt.Sprint("e", k), schemas.View, k+1, int64(k)))
	}
	if n := rdb.ZCard(ctx, "t:{u:u}:seen").Val(); n < 16 || n > 16+2+1+1 {
		t.Fatalf("seen holds %d products; want 16 to 16 plus both slacks plus one", n)
	}
}
