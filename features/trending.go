package features

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

func (s *Store) trendKey(category string) string { return s.tallyKey("cat:" + category) }

// Trending returns the n products of category with the most time-decayed
// weight, best first, scaled so the first is 1.
func (s *Store) Trending(ctx context.Context, categories []string, n int) (map[string][]schemas.ScoredItem, error) {
	out := make(map[string][]schemas.ScoredItem, len(categories))
	if len(categories) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(categories))
	for k, c := range categories {
		cmds[k] = pipe.ZRevRangeWithScores(ctx, s.trendKey(c), 0, int64(n-1))
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("reading trending: %w", err)
	}
	for k, c := range categories {
		out[c] = scaled(cmds[k].Val())
	}
	return out, nil
}

func scaled(zs []redis.Z) []schemas.ScoredItem {
	items := make([]schemas.ScoredItem, len(zs))
	for k, z := range zs {
		items[k] = schemas.ScoredItem{ProductGID: z.Member.(string), Score: z.Score / zs[0].Score}
	}
	return items
}

// execPipe runs pipe. Commands that fail because Redis does not know a script
// (first use, restart, SCRIPT FLUSH) are sent again once the scripts are
// loaded; the others ran and are not repeated.
func (s *Store) execPipe(ctx context.Context, pipe redis.Pipeliner, scripts ...*redis.Script) ([]redis.Cmder, error) {
	cmds, _ := pipe.Exec(ctx)
	retry := s.rdb.Pipeline()
	for _, c := range cmds {
		switch err := c.Err(); {
		case err == nil || errors.Is(err, redis.Nil):
		case redis.HasErrorPrefix(err, "NOSCRIPT"):
			_ = retry.Process(ctx, c)
		default:
			return nil, err
		}
	}
	if retry.Len() == 0 {
		return cmds, nil
	}
	for _, sc := range scripts {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return nil, fmt.Errorf("loading script: %w", err)
		}
	}
	if _, err := retry.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	return cmds, nil
}
