package features

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// Unexplored returns up to limit available catalog products with fewer than
// maxInteractions interactions counted by Tally, fewest first (ties by GID),
// for the exploration share of new products. It scans the whole catalog
// (HSCAN, so Redis is never blocked): call it periodically, not per event.
func (s *Store) Unexplored(ctx context.Context, maxInteractions, limit int) ([]string, error) {
	var available []string
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, s.catalogKey("products"), cursor, "", 1000).Result()
		if err != nil {
			return nil, fmt.Errorf("scanning the catalog: %w", err)
		}
		for k := 0; k+1 < len(kv); k += 2 {
			var p schemas.Product
			if json.Unmarshal([]byte(kv[k+1]), &p) == nil && p.Available {
				available = append(available, kv[k])
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	slices.Sort(available)
	available = slices.Compact(available) // HSCAN may return an entry twice
	counts, err := s.interactionCounts(ctx, available)
	if err != nil {
		return nil, err
	}
	var out []string
	for k, gid := range available {
		if counts[k] < float64(maxInteractions) {
			out = append(out, gid)
		}
	}
	index := make(map[string]int, len(available))
	for k, gid := range available {
		index[gid] = k
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmpFloat(counts[index[a]], counts[index[b]]) })
	return out[:min(limit, len(out))], nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// interactionCounts reads Tally's per-product counts (0 when absent).
func (s *Store) interactionCounts(ctx context.Context, gids []string) ([]float64, error) {
	out := make([]float64, len(gids))
	for start := 0; start < len(gids); start += 1000 {
		chunk := gids[start:min(start+1000, len(gids))]
		vals, err := s.rdb.HMGet(ctx, s.tallyKey("count"), chunk...).Result()
		if err != nil && err != redis.Nil {
			return nil, fmt.Errorf("reading interaction counts: %w", err)
		}
		for k, v := range vals {
			if str, ok := v.(string); ok {
				out[start+k], _ = strconv.ParseFloat(str, 64)
			}
		}
	}
	return out, nil
}
