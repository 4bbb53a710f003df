package synth

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recsys/recsys/schemas"
)

// dataset is a generator and every event it yields.
type dataset struct {
	g      *Generator
	events []schemas.Event
}

func generate(t testing.TB, cfg Config) dataset {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return dataset{g: g, events: slices.Collect(g.Events())}
}

// sessions groups the events of d by session id, in stream order.
func (d dataset) sessions() map[string][]schemas.Event {
	out := map[string][]schemas.Event{}
	for _, ev := range d.events {
		out[ev.SessionID] = append(out[ev.SessionID], ev)
	}
	return out
}

func TestTheDefaultConfigYieldsAFewThousandSessions(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	counts := map[schemas.EventType]int{}
	for _, ev := range d.events {
		counts[ev.Type]++
	}
	t.Logf("default config: %d events in %d sessions: %v", len(d.events), len(d.sessions()), counts)
	if n := len(d.events); n < 5_000 || n > 30_000 {
		t.Errorf("default config yields %d events, want 5k–30k", n)
	}
	for _, typ := range schemas.EventTypes {
		if counts[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
	}
}

func TestTheSameSeedReplaysTheSameStoreAndEvents(t *testing.T) {
	t.Parallel()
	cfg := Config{Users: 80, Products: 120, Seed: 7}
	a, b := generate(t, cfg), generate(t, cfg)
	if !reflect.DeepEqual(a.g.Catalog(), b.g.Catalog()) {
		t.Error("two generators with one config built different catalogs")
	}
	if !reflect.DeepEqual(a.events, b.events) {
		t.Error("two generators with one config yielded different events")
	}
	if again := slices.Collect(a.g.Events()); !reflect.DeepEqual(a.events, again) {
		t.Error("a second iteration of Events yielded different events")
	}
}

func TestADifferentSeedYieldsDifferentData(t *testing.T) {
	t.Parallel()
	a := generate(t, Config{Users: 50, Seed: 1})
	b := generate(t, Config{Users: 50, Seed: 2})
	if reflect.DeepEqual(a.g.Catalog(), b.g.Catalog()) {
		t.Error("seeds 1 and 2 built the same catalog")
	}
	same := 0
	for i := range min(len(a.events), len(b.events), 200) {
		if a.events[i].UserID == b.events[i].UserID && a.events[i].Time.Equal(b.events[i].Time) {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 1 and 2 share %d of their first 200 events", same)
	}
	if a.events[0].EventID == b.events[0].EventID {
		t.Errorf("seeds 1 and 2 share event id %s", a.events[0].EventID)
	}
}

func TestConcurrentIterationsYieldTheSameEvents(t *testing.T) {
	t.Parallel()
	g, err := New(Config{Users: 60})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	runs := make([][]schemas.Event, 4)
	for i := range runs {
		wg.Go(func() { runs[i] = slices.Collect(g.Events()) })
	}
	wg.Wait()
	for i := range runs[1:] {
		if !reflect.DeepEqual(runs[0], runs[i+1]) {
			t.Fatalf("iteration %d differs from iteration 0", i+1)
		}
	}
}

func TestBreakingOutOfEventsStopsTheStream(t *testing.T) {
	t.Parallel()
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range g.Events() {
		if n++; n == 10 {
			break
		}
	}
	if n != 10 {
		t.Errorf("got %d events before break, want 10", n)
	}
}

func TestEventsAreTimeOrderedWithinThePeriodToTheMillisecond(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	d := generate(t, Config{End: end, Period: 7 * 24 * time.Hour, Users: 200})
	start := end.Add(-7 * 24 * time.Hour)
	for i, ev := range d.events {
		if ev.Time.Before(start) || ev.Time.After(end) {
			t.Fatalf("event %d at %v is outside [%v, %v]", i, ev.Time, start, end)
		}
		if i > 0 && ev.Time.Before(d.events[i-1].Time) {
			t.Fatalf("event %d at %v is before event %d at %v", i, ev.Time, i-1, d.events[i-1].Time)
		}
		if ev.Time.Nanosecond()%int(time.Millisecond) != 0 || ev.Time.Location() != time.UTC {
			t.Fatalf("event %d time %v is not a whole UTC millisecond", i, ev.Time)
		}
	}
}

func TestSessionsOfAUserAreSeparateAndIncreasing(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	sessions := d.sessions()
	type span struct{ first, last time.Time }
	byUser := map[string][]string{} // session ids in order of first event
	for _, ev := range d.events {
		ids := byUser[ev.UserID]
		if len(ids) == 0 || ids[len(ids)-1] != ev.SessionID {
			if slices.Contains(ids, ev.SessionID) {
				t.Fatalf("session %s of %s resumes after another session", ev.SessionID, ev.UserID)
			}
			byUser[ev.UserID] = append(ids, ev.SessionID)
		}
	}
	for user, ids := range byUser {
		var prev span
		for k, id := range ids {
			evs := sessions[id]
			s := span{evs[0].Time, evs[len(evs)-1].Time}
			if !strings.Contains(id, user) {
				t.Errorf("session %s does not name its user %s", id, user)
			}
			if k > 0 && s.first.Sub(prev.last) < SessionGap {
				t.Errorf("%s: session %s starts %v after the previous one ends, want >= %v",
					user, id, s.first.Sub(prev.last), SessionGap)
			}
			prev = s
		}
	}
}

func TestProductsAreValidShopifyProductsAndEventsUseThem(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	catalog := map[string]schemas.Product{}
	handles := map[string]bool{}
	categories := map[string]bool{}
	for _, p := range d.g.Catalog() {
		id, ok := schemas.ParseProductGID(p.GID)
		if !ok || id < 1e12 || id >= 1e13 {
			t.Errorf("product GID %q is not a 13-digit Shopify product GID", p.GID)
		}
		if _, dup := catalog[p.GID]; dup || handles[p.Handle] {
			t.Errorf("duplicate product %s / %s", p.GID, p.Handle)
		}
		if p.Handle != slug(p.Title) && !strings.HasPrefix(p.Handle, slug(p.Title)+"-") {
			t.Errorf("handle %q is not the slug of title %q", p.Handle, p.Title)
		}
		if len(strings.Fields(p.Title)) < 3 || p.Category == "" || p.Price < 2.99 || !p.Available {
			t.Errorf("product %+v is incomplete", p)
		}
		catalog[p.GID], handles[p.Handle], categories[p.Category] = p, true, true
	}
	if len(catalog) != 500 || len(categories) != 12 {
		t.Errorf("catalog has %d products in %d categories, want 500 in 12", len(catalog), len(categories))
	}
	users := map[string]bool{}
	for _, u := range d.g.Users() {
		users[u] = true
	}
	ids := map[string]bool{}
	for _, ev := range d.events {
		p, ok := catalog[ev.Product]
		if !ok {
			t.Fatalf("event %s names product %q, not in the catalog", ev.EventID, ev.Product)
		}
		if ids[ev.EventID] || !strings.HasPrefix(ev.EventID, "syn-1-") {
			t.Fatalf("event id %q is duplicated or not syn-<seed>-…", ev.EventID)
		}
		ids[ev.EventID] = true
		if !users[ev.UserID] || !ev.Type.Valid() || ev.Price != p.Price || ev.Currency != Currency || ev.Quantity < 1 {
			t.Fatalf("event %+v is inconsistent with user list or product %+v", ev, p)
		}
		if ev.Type == schemas.View && ev.Quantity != 1 {
			t.Fatalf("view %s has quantity %d", ev.EventID, ev.Quantity)
		}
	}
}

func TestLargeCatalogsKeepTitlesAndHandlesUnique(t *testing.T) {
	t.Parallel()
	g, err := New(Config{Products: 20_000, Categories: 2, Users: 1})
	if err != nil {
		t.Fatal(err)
	}
	titles, handles := map[string]bool{}, map[string]bool{}
	for _, p := range g.Catalog() {
		if titles[p.Title] || handles[p.Handle] {
			t.Fatalf("duplicate title %q or handle %q", p.Title, p.Handle)
		}
		titles[p.Title], handles[p.Handle] = true, true
	}
}

func TestTastesAreOneToThreeCatalogCategories(t *testing.T) {
	t.Parallel()
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	categories := map[string]bool{}
	for _, p := range g.Catalog() {
		categories[p.Category] = true
	}
	for _, u := range g.Users() {
		tastes := g.Tastes(u)
		if len(tastes) < 1 || len(tastes) > 3 {
			t.Errorf("%s has %d favourite categories", u, len(tastes))
		}
		for _, c := range tastes {
			if !categories[c] {
				t.Errorf("%s likes %q, not a catalog category", u, c)
			}
		}
	}
	for _, unknown := range []string{"user-9999", "user-x", "", "user-1", "user--001"} {
		if got := g.Tastes(unknown); got != nil {
			t.Errorf("Tastes(%q) = %v, want nil", unknown, got)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"the zero config takes the defaults", Config{}, true},
		{"one product in one category is enough", Config{Products: 1, Categories: 1}, true},
		{"fewer products than categories is refused", Config{Products: 3, Categories: 4}, false},
		{"more categories than the vocabulary is refused", Config{Categories: MaxCategories() + 1}, false},
		{"negative users are refused", Config{Users: -1}, false},
		{"negative sessions per user are refused", Config{SessionsPerUser: -1}, false},
		{"a period under an hour is refused", Config{Period: time.Minute}, false},
		{"too many products are refused", Config{Products: MaxProducts + 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if _, err := New(tt.cfg); (err == nil) != tt.ok {
				t.Fatalf("New() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestMeanHourWeightMatchesTheTable(t *testing.T) {
	t.Parallel()
	sum, peak := 0.0, 0.0
	for h := range 24 {
		sum += hourWeight(h)
		peak = max(peak, hourWeight(h))
	}
	if d := sum/24 - meanHourWeight; d > 1e-9 || d < -1e-9 || peak != peakHourWeight {
		t.Errorf("table mean %v peak %v, constants %v %v", sum/24, peak, meanHourWeight, peakHourWeight)
	}
}

func BenchmarkEvents(b *testing.B) {
	g, err := New(Config{Users: 3_000, Products: 5_000})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for range g.Events() {
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
	b.ReportMetric(float64(n)/float64(b.N), "events/op")
}
