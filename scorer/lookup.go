package scorer

import (
	"context"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// trendingDepth is how many trending products are read per category (and
// from global popularity) for cold starts and backfill.
const trendingDepth = 200

// global is the trending key of all products: the store's popularity.
const global = ""

// lookup reads catalog entries and trending lists for one batch (or one API
// call), each at most once and only when the Stage's cache has no fresh
// copy, so that every rule sees one consistent view. It is not safe for
// concurrent use.
type lookup struct {
	store    *features.Store
	cache    *cache
	products map[string]productInfo          // every product asked about, found or not
	trending map[string][]schemas.ScoredItem // category → products; global = all
	// Scratch space of the lists assembled one after another with this
	// lookup, reused so that a list allocates little more than its result.
	builder builder
	lead    []candidate
	cands   []candidate // the model's candidates of every list of the batch
	gids    []string    // the products a batch asks fetch for
	unseen  []string    // fetch's products not read yet
}

func newLookup(store *features.Store, c *cache) *lookup {
	return &lookup{store: store, cache: c, products: map[string]productInfo{},
		trending: map[string][]schemas.ScoredItem{}}
}

// batchLookup returns the consume loop's lookup, emptied for a new batch; its
// maps keep their room, which would otherwise be grown afresh every batch.
func (s *Stage) batchLookup() *lookup {
	if s.look == nil {
		s.look = newLookup(s.store, s.cache)
	}
	clear(s.look.products)
	clear(s.look.trending)
	s.look.cands = s.look.cands[:0]
	return s.look
}

// fetch reads the catalog entries of gids not read yet, in one round trip.
func (l *lookup) fetch(ctx context.Context, gids []string) error {
	unseen := l.unseen[:0]
	for _, g := range gids {
		if _, ok := l.products[g]; !ok {
			unseen = append(unseen, g)
		}
	}
	defer func() { l.unseen = unseen[:0] }() // neither the cache nor the store keeps it
	now := time.Now()
	missing := l.cache.lookupProducts(now, unseen, l.products)
	if len(missing) == 0 {
		return nil
	}
	ps, version, err := l.store.ProductsAt(ctx, missing)
	if err != nil {
		return err
	}
	for _, g := range missing {
		p, ok := ps[g]
		l.products[g] = infoOf(p, ok)
	}
	l.cache.putProducts(now, version, missing, ps)
	return nil
}

// fetchTrending reads the trending lists of categories not read yet (global
// is the store's popularity) and the catalog entries of their products.
func (l *lookup) fetchTrending(ctx context.Context, categories []string) error {
	var cats []string
	var gids []string
	now := time.Now()
	for _, c := range categories {
		if _, ok := l.trending[c]; ok {
			continue
		}
		if items, ok := l.cache.lookupTrend(now, c); ok {
			l.trending[c] = items
			gids = appendItems(gids, items)
			continue
		}
		if c == global {
			pop, err := l.store.Popular(ctx, trendingDepth)
			if err != nil {
				return err
			}
			l.trending[c] = pop
			l.cache.putTrend(now, c, pop)
			gids = appendItems(gids, pop)
			continue
		}
		cats = append(cats, c)
	}
	if len(cats) > 0 {
		byCat, err := l.store.Trending(ctx, cats, trendingDepth)
		if err != nil {
			return err
		}
		for _, c := range cats {
			l.trending[c] = byCat[c]
			l.cache.putTrend(now, c, byCat[c])
			gids = appendItems(gids, byCat[c])
		}
	}
	return l.fetch(ctx, gids)
}

func appendItems(gids []string, items []schemas.ScoredItem) []string {
	for _, it := range items {
		gids = append(gids, it.ProductGID)
	}
	return gids
}

// available reports whether the catalog allows recommending gid; products
// missing from the catalog are allowed.
func (l *lookup) available(gid string) bool {
	p, ok := l.products[gid]
	return !ok || !p.found || p.available
}

func (l *lookup) category(gid string) string { return l.products[gid].category }

// recentCategory is the category of the newest of the user's last events
// whose product has one: "what they just viewed". It needs those products
// fetched (see recentProducts).
func (l *lookup) recentCategory(h []features.Entry) string {
	for k := len(h) - 1; k >= 0 && k >= len(h)-recentDepth; k-- {
		if c := l.category(h[k].ProductGID); c != "" {
			return c
		}
	}
	return ""
}

// recentDepth bounds how far back recentCategory looks.
const recentDepth = 5

func recentProducts(h []features.Entry) []string {
	var out []string
	for k := len(h) - 1; k >= 0 && k >= len(h)-recentDepth; k-- {
		out = append(out, h[k].ProductGID)
	}
	return out
}
