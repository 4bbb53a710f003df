package scorer

import (
	"context"
	"slices"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// backfill completes short lists from live popularity in Redis, read at most
// once per batch.
type backfill struct {
	store   *features.Store
	popular []schemas.ScoredItem
	loaded  bool
}

// popularDepth is how many popular items are read for backfilling.
const popularDepth = 200

// complete appends popular items not in items or exclude until there are n,
// scored below every item already present. It reports whether it added any.
func (b *backfill) complete(ctx context.Context, items []schemas.ScoredItem, n int, exclude []string) ([]schemas.ScoredItem, bool, error) {
	if len(items) >= n {
		return items, false, nil
	}
	if !b.loaded {
		pop, err := b.store.Popular(ctx, popularDepth)
		if err != nil {
			return nil, false, err
		}
		b.popular, b.loaded = pop, true
	}
	floor := 0.0
	if len(items) > 0 {
		floor = items[len(items)-1].Score
	}
	added := false
	for _, p := range b.popular {
		if len(items) >= n {
			break
		}
		if slices.Contains(exclude, p.ProductGID) || containsItem(items, p.ProductGID) {
			continue
		}
		items = append(items, schemas.ScoredItem{ProductGID: p.ProductGID, Score: floor * p.Score / 2})
		added = true
	}
	return items, added, nil
}

func containsItem(items []schemas.ScoredItem, gid string) bool {
	for _, it := range items {
		if it.ProductGID == gid {
			return true
		}
	}
	return false
}
