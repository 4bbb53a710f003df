package features

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// PutProducts stores or replaces catalog entries and their handles.
func (s *Store) PutProducts(ctx context.Context, products []schemas.Product) error {
	if len(products) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	for _, p := range products {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encoding product: %w", err)
		}
		pipe.HSet(ctx, s.catalogKey("products"), p.GID, b)
		if p.Handle != "" {
			pipe.HSet(ctx, s.catalogKey("handles"), p.Handle, p.GID)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("writing products: %w", err)
	}
	return nil
}

// Delist marks products unavailable (a catalog tombstone). The entry and its
// handle stay, so history that names it still resolves.
func (s *Store) Delist(ctx context.Context, gids []string) error {
	products, err := s.Products(ctx, gids)
	if err != nil {
		return err
	}
	var out []schemas.Product
	for _, gid := range gids {
		p, ok := products[gid]
		if !ok {
			p = schemas.Product{GID: gid}
		}
		p.Available = false
		out = append(out, p)
	}
	return s.PutProducts(ctx, out)
}

// Products returns the catalog entries of gids that exist.
func (s *Store) Products(ctx context.Context, gids []string) (map[string]schemas.Product, error) {
	out := make(map[string]schemas.Product, len(gids))
	if len(gids) == 0 {
		return out, nil
	}
	vals, err := s.rdb.HMGet(ctx, s.catalogKey("products"), gids...).Result()
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("reading products: %w", err)
	}
	for k, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var p schemas.Product
		if err := json.Unmarshal([]byte(str), &p); err != nil {
			return nil, fmt.Errorf("decoding product %s: %w", gids[k], err)
		}
		out[gids[k]] = p
	}
	return out, nil
}

// ResolveHandles maps product handles to GIDs; unknown handles are absent.
func (s *Store) ResolveHandles(ctx context.Context, handles []string) (map[string]string, error) {
	out := make(map[string]string, len(handles))
	if len(handles) == 0 {
		return out, nil
	}
	vals, err := s.rdb.HMGet(ctx, s.catalogKey("handles"), handles...).Result()
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("resolving handles: %w", err)
	}
	for k, v := range vals {
		if gid, ok := v.(string); ok {
			out[handles[k]] = gid
		}
	}
	return out, nil
}
