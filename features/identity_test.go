package features_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

func historyIDs(t *testing.T, s *features.Store, user string) []string {
	t.Helper()
	h, err := s.History(context.Background(), user, 100)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(h))
	for k, e := range h {
		ids[k] = e.EventID
	}
	return ids
}

func TestLinkMergesTheAnonymousHistoryIntoTheUserOnceAndAgainWhenItGrows(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t, features.Config{})
	ctx := context.Background()
	if _, err := s.Apply(ctx, []schemas.Interaction{
		interaction("anon", "a1", schemas.View, 1, 0),
		interaction("anon", "a2", schemas.Purchase, 2, 1),
		interaction("user", "u1", schemas.View, 3, 2),
	}); err != nil {
		t.Fatal(err)
	}
	link := func() {
		t.Helper()
		if err := s.Link(ctx, []features.Alias{{Anonymous: "anon", User: "user"}}); err != nil {
			t.Fatal(err)
		}
	}
	link()
	if got := historyIDs(t, s, "user"); len(got) != 3 || got[0] != "a1" || got[1] != "a2" || got[2] != "u1" {
		t.Fatalf("user history %v, want a1 a2 u1 in time order", got)
	}
	users, _ := s.Users(ctx, []string{"user"}, 10)
	if _, ok := users[0].Purchased[schemas.ProductGID(2)]; !ok || len(users[0].Seen) != 3 {
		t.Errorf("user purchased %v, seen %v; want the anonymous purchase and 3 seen", users[0].Purchased, users[0].Seen)
	}
	if got := historyIDs(t, s, "anon"); len(got) != 2 {
		t.Errorf("anonymous history %v: a link must leave it in place", got)
	}
	if to, err := s.AliasOf(ctx, "anon"); err != nil || to != "user" {
		t.Errorf("AliasOf = %q, %v", to, err)
	}
	if ttl := rdb.PTTL(ctx, "t:{u:user}:hist").Val(); ttl <= 0 {
		t.Errorf("user history TTL %v after a merge", ttl)
	}

	before := rdb.ZRangeWithScores(ctx, "t:{u:user}:hist", 0, -1).Val()
	evals := evalCalls(t, rdb)
	link() // a redelivery: nothing changes, and only the snapshot runs
	if after := rdb.ZRangeWithScores(ctx, "t:{u:user}:hist", 0, -1).Val(); len(after) != len(before) {
		t.Fatalf("a second link changed the history: %v -> %v", before, after)
	}
	if n := evalCalls(t, rdb) - evals; n != 1 {
		t.Errorf("an up-to-date link ran %d scripts, want 1", n)
	}
	// After a logout the device browses anonymously; the next event naming
	// both ids brings that along.
	if _, err := s.Apply(ctx, []schemas.Interaction{interaction("anon", "a3", schemas.View, 4, 3)}); err != nil {
		t.Fatal(err)
	}
	link()
	if got := historyIDs(t, s, "user"); len(got) != 4 || got[3] != "a3" {
		t.Fatalf("user history %v, want a3 merged last", got)
	}
}

func TestLinkKeepsTheCapsAndSkipsUnusablePairs(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, features.Config{HistoryLen: 3})
	ctx := context.Background()
	var batch []schemas.Interaction
	for k, id := range []string{"a1", "a2", "a3"} {
		batch = append(batch, interaction("anon", id, schemas.View, k+1, int64(k)))
	}
	batch = append(batch, interaction("user", "u1", schemas.View, 9, 10), interaction("user", "u2", schemas.View, 9, 11))
	if _, err := s.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	err := s.Link(ctx, []features.Alias{{Anonymous: "anon", User: "user"}, {Anonymous: "x", User: "x"},
		{Anonymous: "", User: "user"}, {Anonymous: "anon", User: ""}})
	if err != nil {
		t.Fatal(err)
	}
	if got := historyIDs(t, s, "user"); len(got) != 3 || got[0] != "a3" || got[2] != "u2" {
		t.Errorf("user history %v, want the 3 newest: a3 u1 u2", got)
	}
	if to, _ := s.AliasOf(ctx, "x"); to != "" {
		t.Errorf("a self-alias was recorded: %q", to)
	}
}

func TestASharedDeviceIsMergedIntoEachUserAndAliasedToTheLatest(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	if _, err := s.Apply(ctx, []schemas.Interaction{interaction("device", "d1", schemas.View, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	err := s.Link(ctx, []features.Alias{{Anonymous: "device", User: "alice"}})
	if err == nil {
		err = s.Link(ctx, []features.Alias{{Anonymous: "device", User: "bob"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob"} {
		if got := historyIDs(t, s, u); len(got) != 1 || got[0] != "d1" {
			t.Errorf("%s history %v, want d1", u, got)
		}
	}
	if to, _ := s.AliasOf(ctx, "device"); to != "bob" {
		t.Errorf("AliasOf = %q, want the latest user, bob", to)
	}
}

// evalCalls is how many EVAL calls the server has run.
func evalCalls(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	m := regexp.MustCompile(`cmdstat_eval:calls=(\d+)`).FindStringSubmatch(rdb.Info(context.Background(), "commandstats").Val())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
