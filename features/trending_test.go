package features_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

func TestTallyCountsEachOffsetOnceAndTrendsPerCategory(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	v1 := features.ListKey{Role: features.RoleServing, Version: "v1"}
	events := []features.TallyEvent{
		{Offset: 0, Product: schemas.ProductGID(1), Category: "shoes", Type: schemas.View, Time: t0},
		{Offset: 1, Product: schemas.ProductGID(2), Category: "shoes", Type: schemas.Purchase, Time: t0, Attributed: []features.ListKey{v1}},
		{Offset: 2, Product: schemas.ProductGID(3), Category: "hats", Type: schemas.View, Time: t0},
		{Offset: 3, Product: schemas.ProductGID(4), Type: schemas.View, Time: t0},
	}
	done, err := s.Tally(ctx, map[string][]features.TallyEvent{"in/0": events}, map[features.ListKey]int{v1: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0].ListKey != v1 || done[0].Type != schemas.Purchase {
		t.Fatalf("attributed %+v; want v1's purchase", done)
	}
	// The same events again (a redelivery) and one new: only the new counts.
	more := append(slices.Clone(events), features.TallyEvent{Offset: 4, Product: schemas.ProductGID(1), Category: "shoes", Type: schemas.View, Time: t0})
	if done, err = s.Tally(ctx, map[string][]features.TallyEvent{"in/0": more}, nil); err != nil || len(done) != 0 {
		t.Fatalf("redelivery attributed %+v, %v; want nothing", done, err)
	}
	trend, err := s.Trending(ctx, []string{"shoes", "hats", "none"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Purchase weighs 5, two views of 1 weigh 2.
	if got := itemGIDs(trend["shoes"]); !slices.Equal(got, []string{schemas.ProductGID(2), schemas.ProductGID(1)}) {
		t.Errorf("shoes trending %v; want 2 then 1", got)
	}
	if len(trend["hats"]) != 1 || len(trend["none"]) != 0 {
		t.Errorf("hats %v, none %v", trend["hats"], trend["none"])
	}
	totals, err := s.AttributionTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := totals[v1]; got.Lists != 2 || got.Events[schemas.Purchase] != 1 {
		t.Errorf("totals %+v; want 2 lists, 1 purchase", got)
	}
}

func TestUnexploredListsAvailableProductsWithFewInteractionsFewestFirst(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	var ps []schemas.Product
	for id := uint64(1); id <= 4; id++ {
		ps = append(ps, schemas.Product{GID: schemas.ProductGID(id), Available: id != 4})
	}
	if err := s.PutProducts(ctx, ps); err != nil {
		t.Fatal(err)
	}
	var events []features.TallyEvent
	for k, id := range []uint64{1, 1, 1, 2} {
		events = append(events, features.TallyEvent{Offset: int64(k), Product: schemas.ProductGID(id), Type: schemas.View, Time: t0})
	}
	if _, err := s.Tally(ctx, map[string][]features.TallyEvent{"in/0": events}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Unexplored(ctx, 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	// 3 never seen, 2 seen once; 1 seen 3 times is explored enough; 4 is unavailable.
	if want := []string{schemas.ProductGID(3), schemas.ProductGID(2)}; !slices.Equal(got, want) {
		t.Errorf("Unexplored = %v; want %v", got, want)
	}
}

func TestExposuresAreRecordedOncePerTriggerAndFound(t *testing.T) {
	s, _ := newStore(t, features.Config{})
	ctx := context.Background()
	rec := func(offset int64, items ...uint64) schemas.Recommendation {
		r := schemas.Recommendation{UserID: "u", RecommendationID: "r", ModelVersion: "v1",
			Trigger: schemas.Trigger{Offset: schemas.Offset{Topic: "in", Partition: 1, Offset: offset}}}
		for _, id := range items {
			r.Items = append(r.Items, schemas.ScoredItem{ProductGID: schemas.ProductGID(id), Score: 1})
		}
		return r
	}
	exps := []features.Exposure{
		{Role: features.RoleServing, Rec: rec(5, 1, 2), At: t0},
		{Role: features.RoleShadow, Rec: rec(5, 2, 3), At: t0},
	}
	for round, want := range []bool{true, false} { // the second is a redelivery
		fresh, err := s.RecordExposures(ctx, exps, time.Hour)
		if err != nil || fresh[0] != want || fresh[1] != want {
			t.Fatalf("round %d: fresh %v, %v; want %v", round, fresh, err, want)
		}
	}
	// An older list (a replay by another group) neither counts nor replaces the cache.
	if fresh, _ := s.RecordExposures(ctx, []features.Exposure{{Role: features.RoleServing, Rec: rec(3, 9), At: t0}}, time.Hour); fresh[0] {
		t.Error("an older list counted as new")
	}
	if cached, err := s.Recommendation(ctx, "u"); err != nil || cached.Trigger.Offset.Offset != 5 {
		t.Errorf("cached %+v, %v; want the list of offset 5", cached, err)
	}
	found, err := s.Exposures(ctx, []features.UserProduct{{User: "u", Product: schemas.ProductGID(2)}, {}, {User: "u", Product: schemas.ProductGID(9)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found[0]) != 2 || found[0][0].Version != "v1" || found[0][0].Trigger.Offset != 5 || !found[0][0].At.Equal(t0) {
		t.Errorf("exposures of 2: %+v; want the served and the shadow list", found[0])
	}
	if len(found[1]) != 0 || len(found[2]) != 0 {
		t.Errorf("unexpected exposures %+v", found)
	}
	// The scorer reads users and exposures in one round trip: the same answers.
	if _, err := s.Apply(ctx, []schemas.Interaction{interaction("u", "e7", schemas.View, 7, 0)}); err != nil {
		t.Fatal(err)
	}
	users, both, err := s.UsersAndExposures(ctx, []string{"u", "nobody"}, 10,
		[]features.UserProduct{{User: "u", Product: schemas.ProductGID(2)}, {}, {User: "u", Product: schemas.ProductGID(9)}})
	if err != nil {
		t.Fatal(err)
	}
	alone, _ := s.Users(ctx, []string{"u", "nobody"}, 10)
	if !reflect.DeepEqual(both, found) || !reflect.DeepEqual(users, alone) || len(users[0].History) != 1 {
		t.Errorf("together: %+v, %+v; alone: %+v, %+v", users, both, alone, found)
	}
}

func itemGIDs(items []schemas.ScoredItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ProductGID)
	}
	return out
}
