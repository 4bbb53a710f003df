package features

import (
	"context"
	"fmt"

	"github.com/recsys/recsys/schemas"
)

// Popular returns the n most popular products by time-decayed weight, best
// first, with scores scaled so the first is 1.
func (s *Store) Popular(ctx context.Context, n int) ([]schemas.ScoredItem, error) {
	zs, err := s.rdb.ZRevRangeWithScores(ctx, s.popKey("scores"), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading popularity: %w", err)
	}
	items := make([]schemas.ScoredItem, len(zs))
	for k, z := range zs {
		items[k] = schemas.ScoredItem{ProductGID: z.Member.(string), Score: z.Score / zs[0].Score}
	}
	return items, nil
}
