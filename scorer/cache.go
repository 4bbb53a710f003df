package scorer

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// cacheMax bounds the catalog entries cached; past it the cache starts over.
const cacheMax = 200_000

// cache keeps the catalog entries and trending lists a Stage read from Redis,
// shared by its batches and API calls: the same products recur in every
// batch, and a cached entry costs the rules no round trip. While the Stage
// runs, refresh renews every entry each ttl off the scoring path, an eighth
// of them every ttl/8 so that the work comes in small steps rather than one
// burst that would hold up the lists scored meanwhile. A product entry is
// re-read only when the catalog version changed since it was read (a quiet
// catalog costs one GET per step); trending lists are always re-read. An
// entry older than 2×ttl (no refresh) counts as absent. A delisting or a new
// trending order is thus seen at most about 2×ttl late. A ttl ≤ 0 disables
// the cache. Safe for concurrent use.
type cache struct {
	ttl      time.Duration
	mu       sync.Mutex
	products map[string]cachedProduct
	trending map[string]cachedTrend
}

// productInfo is what the rules need of a catalog entry.
type productInfo struct {
	category  string
	available bool
	found     bool // false: the catalog has no such product
}

func infoOf(p schemas.Product, found bool) productInfo {
	return productInfo{category: p.Category, available: p.Available, found: found}
}

type cachedProduct struct {
	info    productInfo
	version int64 // the catalog version read before the entry
	at      time.Time
	shard   uint32 // of refresh
}

type cachedTrend struct {
	items []schemas.ScoredItem
	at    time.Time
}

func newCache(ttl time.Duration) *cache {
	return &cache{ttl: ttl, products: map[string]cachedProduct{}, trending: map[string]cachedTrend{}}
}

// lookupProducts copies the fresh entries of gids into into and returns the
// gids it does not have.
func (c *cache) lookupProducts(now time.Time, gids []string, into map[string]productInfo) []string {
	if c.ttl <= 0 {
		return gids
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing []string
	for _, g := range gids {
		e, ok := c.products[g]
		if !ok || now.Sub(e.at) >= 2*c.ttl {
			missing = append(missing, g)
			continue
		}
		into[g] = e.info
	}
	return missing
}

// putProducts caches what a read of asked at version returned (found).
func (c *cache) putProducts(now time.Time, version int64, asked []string, found map[string]schemas.Product) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.products)+len(asked) > cacheMax {
		clear(c.products)
	}
	for _, g := range asked {
		p, ok := found[g]
		c.products[g] = cachedProduct{info: infoOf(p, ok), version: version, at: now, shard: shardOf(g)}
	}
}

func (c *cache) lookupTrend(now time.Time, category string) ([]schemas.ScoredItem, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.trending[category]
	if !ok || now.Sub(e.at) >= 2*c.ttl {
		return nil, false
	}
	return e.items, true
}

func (c *cache) putTrend(now time.Time, category string, items []schemas.ScoredItem) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.trending) > cacheMax/100 {
		clear(c.trending)
	}
	c.trending[category] = cachedTrend{items: items, at: now}
}

// refreshShards is how many steps one refresh of every entry takes.
const refreshShards = 8

// run refreshes the cache, one shard every ttl/refreshShards, until ctx
// ends. A failed refresh keeps the entries, which then expire.
func (c *cache) run(ctx context.Context, store *features.Store, log *slog.Logger) error {
	if c.ttl <= 0 {
		return nil
	}
	tick := time.NewTicker(max(c.ttl/refreshShards, time.Millisecond))
	defer tick.Stop()
	for shard := uint32(0); ; shard = (shard + 1) % refreshShards {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := c.refresh(ctx, store, shard); err != nil && ctx.Err() == nil {
			log.Warn("refreshing the catalog cache", "err", err)
		}
	}
}

// shardOf spreads keys over the refresh shards (FNV-1a).
func shardOf(key string) uint32 {
	h := uint32(2166136261)
	for k := 0; k < len(key); k++ {
		h = (h ^ uint32(key[k])) * 16777619
	}
	return h % refreshShards
}

// refresh renews the cached products and trending lists of one shard.
func (c *cache) refresh(ctx context.Context, store *features.Store, shard uint32) error {
	now := time.Now()
	version, err := store.CatalogVersion(ctx)
	if err != nil {
		return err
	}
	gids, cats := c.stale(now, version, shard)
	for start := 0; start < len(gids); start += 1000 {
		chunk := gids[start:min(start+1000, len(gids))]
		now := time.Now()
		ps, v, err := store.ProductsAt(ctx, chunk)
		if err != nil {
			return err
		}
		c.putProducts(now, v, chunk, ps)
	}
	return c.refreshTrends(ctx, store, cats)
}

// stale renews the product entries of shard read at version and returns
// the others, and the shard's trending categories.
func (c *cache) stale(now time.Time, version int64, shard uint32) (gids, cats []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for g, e := range c.products {
		if e.shard != shard {
			continue
		}
		if e.version == version {
			e.at = now
			c.products[g] = e
			continue
		}
		gids = append(gids, g)
	}
	for cat := range c.trending {
		if shardOf(cat) == shard {
			cats = append(cats, cat)
		}
	}
	return gids, cats
}

// refreshTrends re-reads the trending lists of cats (global: popularity).
func (c *cache) refreshTrends(ctx context.Context, store *features.Store, cats []string) error {
	now := time.Now()
	var named []string
	for _, cat := range cats {
		if cat != global {
			named = append(named, cat)
			continue
		}
		pop, err := store.Popular(ctx, trendingDepth)
		if err != nil {
			return err
		}
		c.putTrend(now, global, pop)
	}
	if len(named) == 0 {
		return nil
	}
	byCat, err := store.Trending(ctx, named, trendingDepth)
	if err != nil {
		return err
	}
	for cat, items := range byCat {
		c.putTrend(now, cat, items)
	}
	return nil
}
