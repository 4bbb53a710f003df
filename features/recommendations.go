package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("not found")

// PutRecommendations caches the latest list of each user (last write wins).
func (s *Store) PutRecommendations(ctx context.Context, recs []schemas.Recommendation) error {
	if len(recs) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encoding recommendation: %w", err)
		}
		pipe.Set(ctx, s.userKey(r.UserID, "recs"), b, s.cfg.RecommendationTTL)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("caching recommendations: %w", err)
	}
	return nil
}

// Recommendation returns the cached list of user, or ErrNotFound.
func (s *Store) Recommendation(ctx context.Context, user string) (schemas.Recommendation, error) {
	var r schemas.Recommendation
	b, err := s.rdb.Get(ctx, s.userKey(user, "recs")).Bytes()
	if errors.Is(err, redis.Nil) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("reading recommendation: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("decoding recommendation: %w", err)
	}
	return r, nil
}
