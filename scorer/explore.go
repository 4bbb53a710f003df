package scorer

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/recsys/recsys/features"
)

// explorePool bounds the products kept for exploration.
const explorePool = 1000

// explorer keeps the products with few interactions, re-read from Redis
// periodically, so that new products get exposure. Safe for concurrent use.
type explorer struct {
	store    *features.Store
	maxSeen  int
	interval time.Duration
	log      *slog.Logger
	pool     atomic.Pointer[[]string]
}

// run refreshes the pool every interval until ctx ends (Stage.Load reads
// the first). A failed refresh keeps the previous pool: exploration is best
// effort.
func (e *explorer) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(e.interval):
		}
		if err := e.refresh(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("refreshing the exploration pool; keeping the previous one", "err", err)
		}
	}
}

func (e *explorer) refresh(ctx context.Context) error {
	gids, err := e.store.Unexplored(ctx, e.maxSeen, explorePool)
	if err != nil {
		return err
	}
	e.pool.Store(&gids)
	return nil
}

// picks returns up to n pool products not in excluded, starting at a place
// chosen by seed so that different lists explore different products.
func (e *explorer) picks(seed string, n int, excluded map[string]bool) []candidate {
	p := e.pool.Load()
	if n <= 0 || p == nil || len(*p) == 0 {
		return nil
	}
	pool := *p
	h := fnv.New32a()
	h.Write([]byte(seed))
	start := int(h.Sum32() % uint32(len(pool)))
	var out []candidate
	for k := 0; k < len(pool) && len(out) < n; k++ {
		gid := pool[(start+k)%len(pool)]
		if !excluded[gid] {
			out = append(out, candidate{gid: gid, source: SourceExplore})
		}
	}
	return out
}
