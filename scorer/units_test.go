package scorer

import (
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/schemas"
)

func ev(user string, offset int64) trigger {
	return trigger{in: schemas.Interaction{UserID: user}, msg: kafka.Message{Topic: "in", Partition: 0, Offset: offset}}
}

func TestDebouncerAnswersTheFirstAtOnceAndHoldsTheRestOfABurst(t *testing.T) {
	t0 := time.Unix(1000, 0)
	d := newDebouncer(time.Second)
	now, held := d.admit(t0, []trigger{ev("u", 1)})
	if len(now) != 1 || held != 0 {
		t.Fatalf("a lone event: %d now, %d held; want it answered at once", len(now), held)
	}
	d.sent(t0, now)
	if now, held = d.admit(t0.Add(100*time.Millisecond), []trigger{ev("u", 2), ev("v", 3)}); len(now) != 1 || now[0].in.UserID != "v" || held != 1 {
		t.Fatalf("within the window: %v now, %d held; want only v's event now", now, held)
	}
	d.admit(t0.Add(200*time.Millisecond), []trigger{ev("u", 4)}) // replaces offset 2
	if low := d.lowest()[partition{"in", 0}]; low != 4 {
		t.Errorf("commits held below %d; want 4, the waiting event", low)
	}
	if due, ok := d.next(); !ok || !due.Equal(t0.Add(time.Second)) {
		t.Errorf("next due %v; want the window's end", due)
	}
	if got := d.due(t0.Add(999 * time.Millisecond)); len(got) != 0 {
		t.Errorf("due before the window's end: %v", got)
	}
	got := d.due(t0.Add(time.Second))
	if len(got) != 1 || got[0].msg.Offset != 4 {
		t.Fatalf("due at the window's end: %v; want the latest event of the burst", got)
	}
	if len(d.lowest()) != 0 || len(d.drain()) != 0 {
		t.Error("nothing should wait after the trailing list")
	}
}

func TestBuilderScoresFollowTheOrderOfTheList(t *testing.T) {
	rules := Rules{}.withDefaults()
	var b builder
	b.reset(3, &rules, newLookup(nil, newCache(0)), nil)
	b.offer(candidate{gid: "left over", source: SourceModel}) // reset empties what an earlier list left
	b.reset(5, &rules, newLookup(nil, newCache(0)), map[string]bool{"x": true})
	for _, c := range []candidate{
		{gid: "pin", source: SourcePinned}, {gid: "m1", score: 0.8, source: SourceModel},
		{gid: "x", score: 0.7, source: SourceModel}, {gid: "new", source: SourceExplore},
		{gid: "m2", score: 0.75, source: SourceModel}, {gid: "pop", score: 1, source: SourcePopular},
		{gid: "late", source: SourcePopular},
	} {
		b.offer(c)
	}
	items, sources := b.result()
	var got []string
	for k, it := range items {
		got = append(got, it.ProductGID+"/"+sources[k])
		if k > 0 && it.Score > items[k-1].Score {
			t.Errorf("score of %s rises: %+v", it.ProductGID, items)
		}
	}
	if want := "pin/pinned m1/model new/explore m2/model pop/popular"; strings.Join(got, " ") != want {
		t.Errorf("list %v; want %s (excluded x dropped, full at 5)", got, want)
	}
}

func TestRuleFlagsParse(t *testing.T) {
	w, err := ParseEventWindows("purchase, add_to_cart=24h")
	if err != nil || len(w) != 2 || w[schemas.Purchase] != 0 || w[schemas.AddToCart] != 24*time.Hour {
		t.Errorf("ParseEventWindows = %v, %v", w, err)
	}
	if w, err := ParseEventWindows("none"); err != nil || len(w) != 0 {
		t.Errorf(`"none" = %v, %v; want no type`, w, err)
	}
	for _, bad := range []string{"click", "view=soon", "view=-1h"} {
		if _, err := ParseEventWindows(bad); err == nil {
			t.Errorf("ParseEventWindows(%q) accepted", bad)
		}
	}
	b, err := ParseBoosts("gid://shopify/Product/1=1.5")
	if err != nil || b["gid://shopify/Product/1"] != 1.5 {
		t.Errorf("ParseBoosts = %v, %v", b, err)
	}
	if _, err := ParseBoosts("gid://shopify/Product/1=0"); err == nil {
		t.Error("a zero boost was accepted")
	}
}

func TestConfigValidateNamesEveryBadRule(t *testing.T) {
	c := Config{Brokers: []string{"b"}, Rules: Rules{ExploreShare: 1, Pinned: []string{"nope"}, Depth: 50},
		ShadowModel: "default", CommitInterval: -time.Second}
	err := c.Validate()
	for _, want := range []string{"explore share", "pinned", "depth", "shadow", "durations"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %s", err, want)
		}
	}
}
