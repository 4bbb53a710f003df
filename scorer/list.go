package scorer

import (
	"github.com/recsys/recsys/schemas"
)

// Where an item of a list came from; explain shows it.
const (
	SourceModel    = "model"    // ranked by the model
	SourcePinned   = "pinned"   // Rules.Pinned
	SourceExplore  = "explore"  // a product with few interactions
	SourceTrending = "trending" // trending in the category the user just viewed
	SourcePopular  = "popular"  // trending over all products
)

// candidate is one product offered to a list.
type candidate struct {
	gid    string
	score  float64
	source string
}

// builder assembles one list, enforcing the rules on every product offered.
type builder struct {
	n        int
	rules    *Rules
	look     *lookup
	excluded map[string]bool
	items    []candidate
	has      map[string]bool
	perCat   map[string]int
}

// reset empties b for a new list, keeping the room of its slice and maps.
func (b *builder) reset(n int, rules *Rules, look *lookup, excluded map[string]bool) {
	if b.has == nil {
		b.has, b.perCat = map[string]bool{}, map[string]int{}
	}
	clear(b.has)
	clear(b.perCat)
	b.n, b.rules, b.look, b.excluded, b.items = n, rules, look, excluded, b.items[:0]
}

func (b *builder) full() bool { return len(b.items) >= b.n }

// offer appends c unless the list is full, already has it, or a rule drops
// it (excluded, unavailable, its category at the cap). It reports whether c
// was taken.
func (b *builder) offer(c candidate) bool {
	if b.full() || b.has[c.gid] || b.excluded[c.gid] {
		return false
	}
	if !b.rules.KeepUnavailable && !b.look.available(c.gid) {
		return false
	}
	cat := b.look.category(c.gid)
	if b.rules.CategoryCap > 0 && cat != "" && b.perCat[cat] >= b.rules.CategoryCap {
		return false
	}
	b.items = append(b.items, c)
	b.has[c.gid] = true
	if cat != "" {
		b.perCat[cat]++
	}
	return true
}

// offerUntil offers cs in order until the list holds limit items; it
// returns the candidates not yet offered.
func (b *builder) offerUntil(cs []candidate, limit int) []candidate {
	for k, c := range cs {
		if len(b.items) >= limit {
			return cs[k:]
		}
		b.offer(c)
	}
	return nil
}

// offerItems offers items from source in order until the list is full.
func (b *builder) offerItems(items []schemas.ScoredItem, source string) {
	for _, it := range items {
		if b.full() {
			return
		}
		b.offer(candidate{gid: it.ProductGID, score: it.Score, source: source})
	}
}

// result returns the items with scores that follow their order: pinned
// items score above the first other item, and an item not ranked by the
// model scores just below the item before it.
func (b *builder) result() ([]schemas.ScoredItem, []string) {
	items := make([]schemas.ScoredItem, len(b.items))
	sources := make([]string, len(b.items))
	pins := 0
	for pins < len(b.items) && b.items[pins].source == SourcePinned {
		pins++
	}
	prev, first := 0.0, true
	for k := pins; k < len(b.items); k++ {
		c := b.items[k]
		s := c.score
		switch {
		case c.source != SourceModel && first:
			s = 1
		case c.source != SourceModel:
			s = prev * 0.9
		case !first:
			s = min(s, prev)
		}
		items[k] = schemas.ScoredItem{ProductGID: c.gid, Score: s}
		sources[k] = c.source
		prev, first = s, false
	}
	top := 0.0
	if pins < len(b.items) {
		top = items[pins].Score
	}
	for k := 0; k < pins; k++ {
		items[k] = schemas.ScoredItem{ProductGID: b.items[k].gid, Score: top + float64(pins-k)}
		sources[k] = SourcePinned
	}
	return items, sources
}

// fromModel reports whether any item came from the model.
func (b *builder) fromModel() bool {
	for _, c := range b.items {
		if c.source == SourceModel {
			return true
		}
	}
	return false
}

func appendCandidates(out []candidate, items []schemas.ScoredItem, source string) []candidate {
	for _, it := range items {
		out = append(out, candidate{gid: it.ProductGID, score: it.Score, source: source})
	}
	return out
}
