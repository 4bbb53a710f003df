package features

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// PutProducts stores or replaces catalog entries and their handles, then
// bumps the catalog version (after the entries: a reader that reads the
// version before the entries never pairs a newer version with older ones).
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
	pipe.Incr(ctx, s.catalogKey("version"))
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
	out, _, err := s.ProductsAt(ctx, gids)
	return out, err
}

// CatalogVersion returns the catalog's version: it changes with every write
// to the catalog, so entries read at one version are current while it holds.
func (s *Store) CatalogVersion(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, s.catalogKey("version")).Int64()
	if err != nil && err != redis.Nil {
		return 0, fmt.Errorf("reading the catalog version: %w", err)
	}
	return v, nil
}

// ProductsAt returns the catalog entries of gids that exist and the catalog
// version read just before them, in one round trip: the entries are at
// least as new as that version.
func (s *Store) ProductsAt(ctx context.Context, gids []string) (map[string]schemas.Product, int64, error) {
	out := make(map[string]schemas.Product, len(gids))
	if len(gids) == 0 {
		return out, 0, nil
	}
	pipe := s.rdb.Pipeline()
	version := pipe.Get(ctx, s.catalogKey("version"))
	entries := pipe.HMGet(ctx, s.catalogKey("products"), gids...)
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, 0, fmt.Errorf("reading products: %w", err)
	}
	ver, err := version.Int64()
	if err != nil && err != redis.Nil {
		return nil, 0, fmt.Errorf("reading the catalog version: %w", err)
	}
	for k, v := range entries.Val() {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var p schemas.Product
		if err := json.Unmarshal([]byte(str), &p); err != nil {
			return nil, 0, fmt.Errorf("decoding product %s: %w", gids[k], err)
		}
		out[gids[k]] = p
	}
	return out, ver, nil
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
