package scorer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// Rules are the business rules applied in the stream, after ranking: the
// model ranks Depth×N candidates, the rules drop, re-weight, cap and pin, and
// exploration and trending fill what is left.
type Rules struct {
	// KeepPurchased allows recommending purchased items (it removes purchase
	// from ExcludeEvents). Default: false.
	KeepPurchased bool
	// ExcludeEvents drops products the user acted on with these event types
	// within the window before the triggering event (0 = at any time).
	// Purchases are judged on every purchase kept in Redis, other types on
	// the HistoryLen events read for scoring. Default: purchase at any time.
	ExcludeEvents map[schemas.EventType]time.Duration
	// ExcludeSeen drops every product the user interacted with. Default: false.
	ExcludeSeen bool
	// SeenWeight multiplies the score of products the user interacted with
	// when they are not dropped: below 1 down-weights them. Default: 1.
	SeenWeight float64
	// KeepUnavailable allows products the catalog marks unavailable (a
	// catalog tombstone delists). Products absent from the catalog are always
	// allowed: the catalog may not be loaded. Default: false.
	KeepUnavailable bool
	// CategoryCap allows at most this many products of one catalog category
	// per list, for diversity; uncategorized products are not capped. 0
	// disables. Default: 0.
	CategoryCap int
	// Pinned products lead every list, in order, unless another rule drops
	// them. Default: none.
	Pinned []string
	// Boost multiplies the model score of products (e.g. 1.5 promotes, 0.5
	// demotes). Default: none.
	Boost map[string]float64
	// Depth: the model ranks Depth×N candidates for the rules to filter. Default: 3.
	Depth int
	// ExploreShare of each list's slots (⌊share·N⌋) goes to available
	// products with fewer than ExploreMaxInteractions interactions, so new
	// products get exposure until they have a history. Default: 0.
	ExploreShare float64
	// ExploreMaxInteractions: a product with fewer interactions is explored. Default: 5.
	ExploreMaxInteractions int
}

func (r Rules) withDefaults() Rules {
	if r.ExcludeEvents == nil {
		r.ExcludeEvents = map[schemas.EventType]time.Duration{schemas.Purchase: 0}
	}
	if r.SeenWeight == 0 {
		r.SeenWeight = 1
	}
	if r.Depth == 0 {
		r.Depth = 3
	}
	if r.ExploreMaxInteractions == 0 {
		r.ExploreMaxInteractions = 5
	}
	return r
}

func (r Rules) validate() []error {
	var errs []error
	for t, w := range r.ExcludeEvents {
		if !t.Valid() || w < 0 {
			errs = append(errs, fmt.Errorf("scorer: exclude %q within %v: unknown event type or negative window", t, w))
		}
	}
	if r.SeenWeight < 0 || r.CategoryCap < 0 || r.Depth < 1 || r.Depth > 20 {
		errs = append(errs, errors.New("scorer: seen weight and category cap must not be negative, depth must be in 1..20"))
	}
	if r.ExploreShare < 0 || r.ExploreShare >= 1 || r.ExploreMaxInteractions < 0 {
		errs = append(errs, fmt.Errorf("scorer: explore share %v must be in [0, 1)", r.ExploreShare))
	}
	for _, gid := range r.Pinned {
		if _, ok := schemas.ParseProductGID(gid); !ok {
			errs = append(errs, fmt.Errorf("scorer: pinned %q is not a product GID", gid))
		}
	}
	for gid, f := range r.Boost {
		if _, ok := schemas.ParseProductGID(gid); !ok || f <= 0 {
			errs = append(errs, fmt.Errorf("scorer: boost %s=%v: want a product GID and a positive factor", gid, f))
		}
	}
	return errs
}

// exploreSlots is how many of n slots exploration may take.
func (r Rules) exploreSlots(n int) int { return int(r.ExploreShare * float64(n)) }

// excluded returns the products the rules never recommend to u, judged at
// time at (the triggering event's time).
func (r Rules) excluded(u features.User, at time.Time) map[string]bool {
	ex := map[string]bool{}
	if r.ExcludeSeen {
		for gid := range u.Seen {
			ex[gid] = true
		}
	}
	for typ, win := range r.ExcludeEvents {
		switch {
		case typ == schemas.Purchase && r.KeepPurchased:
		case typ == schemas.Purchase:
			for gid, t := range u.Purchased {
				if within(t, at, win) {
					ex[gid] = true
				}
			}
		default:
			for _, e := range u.History {
				if e.Type == typ && within(e.Time, at, win) {
					ex[e.ProductGID] = true
				}
			}
		}
	}
	return ex
}

func within(t, at time.Time, win time.Duration) bool { return win == 0 || at.Sub(t) <= win }

// weight is the factor the rules apply to a model score of gid for u.
func (r Rules) weight(u features.User, gid string) float64 {
	w := 1.0
	if f, ok := r.Boost[gid]; ok {
		w *= f
	}
	if _, seen := u.Seen[gid]; seen {
		w *= r.SeenWeight
	}
	return w
}

// ParseEventWindows parses "purchase,add_to_cart=24h": event types with an
// optional window (none = at any time). "" and "none" mean no type.
func ParseEventWindows(s string) (map[schemas.EventType]time.Duration, error) {
	out := map[schemas.EventType]time.Duration{}
	for _, part := range splitList(s) {
		if part == "none" {
			continue
		}
		name, win, hasWin := strings.Cut(part, "=")
		t := schemas.EventType(strings.TrimSpace(name))
		if !t.Valid() {
			return nil, fmt.Errorf("event type %q: want one of %v", name, schemas.EventTypes)
		}
		var d time.Duration
		if hasWin {
			var err error
			if d, err = time.ParseDuration(strings.TrimSpace(win)); err != nil || d < 0 {
				return nil, fmt.Errorf("window of %s: %q is not a duration ≥ 0", t, win)
			}
		}
		out[t] = d
	}
	return out, nil
}

// ParseBoosts parses "gid=1.5,gid=0.5" into factors per product GID.
func ParseBoosts(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, part := range splitList(s) {
		gid, f, ok := strings.Cut(part, "=")
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("boost %q: want product-gid=factor with a positive factor", part)
		}
		out[strings.TrimSpace(gid)] = v
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
