package features

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// ModelInfo describes one stored snapshot.
type ModelInfo struct {
	Name, Version string
	Size, Chunks  int
	SHA256        string
	SavedAt       time.Time
}

// Location is where a snapshot's metadata lives, for announcements.
func (s *Store) Location(name, version string) string { return s.modelKey(name, version+":meta") }

// NextVersion allocates the next version name of a model: v1, v2, …
func (s *Store) NextVersion(ctx context.Context, name string) (string, error) {
	n, err := s.rdb.Incr(ctx, s.modelKey(name, "seq")).Result()
	if err != nil {
		return "", fmt.Errorf("allocating model version: %w", err)
	}
	return "v" + strconv.FormatInt(n, 10), nil
}

// SaveModel stores an immutable snapshot blob, chunked, in one transaction.
// It does not make it current; see Promote.
func (s *Store) SaveModel(ctx context.Context, name, version string, blob []byte) error {
	sum := sha256.Sum256(blob)
	chunks := (len(blob) + s.cfg.ChunkSize - 1) / s.cfg.ChunkSize
	_, err := s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		for k := 0; k < chunks; k++ {
			end := min((k+1)*s.cfg.ChunkSize, len(blob))
			pipe.Set(ctx, s.modelKey(name, version+":"+strconv.Itoa(k)), blob[k*s.cfg.ChunkSize:end], 0)
		}
		pipe.HSet(ctx, s.modelKey(name, version+":meta"), map[string]any{
			"size": len(blob), "chunks": chunks, "sha256": hex.EncodeToString(sum[:]),
			"saved_at": time.Now().UnixMilli(),
		})
		pipe.ZAdd(ctx, s.modelKey(name, "versions"), redis.Z{Score: float64(time.Now().UnixMilli()), Member: version})
		return nil
	})
	if err != nil {
		return fmt.Errorf("saving model %s %s: %w", name, version, err)
	}
	return nil
}

// Promote makes version the current one of name (one atomic SET).
func (s *Store) Promote(ctx context.Context, name, version string) error {
	if err := s.rdb.Set(ctx, s.modelKey(name, "current"), version, 0).Err(); err != nil {
		return fmt.Errorf("promoting model %s %s: %w", name, version, err)
	}
	return nil
}

// CurrentVersion returns the current version of name, or ErrNotFound.
func (s *Store) CurrentVersion(ctx context.Context, name string) (string, error) {
	v, err := s.rdb.Get(ctx, s.modelKey(name, "current")).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("reading current model: %w", err)
	}
	return v, nil
}

// LoadModel returns a snapshot blob, verified against its checksum.
func (s *Store) LoadModel(ctx context.Context, name, version string) ([]byte, ModelInfo, error) {
	info, err := s.modelInfo(ctx, name, version)
	if err != nil {
		return nil, info, err
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, info.Chunks)
	for k := range cmds {
		cmds[k] = pipe.Get(ctx, s.modelKey(name, version+":"+strconv.Itoa(k)))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, info, fmt.Errorf("reading model %s %s: %w", name, version, err)
	}
	blob := make([]byte, 0, info.Size)
	for _, c := range cmds {
		blob = append(blob, c.Val()...)
	}
	sum := sha256.Sum256(blob)
	if hex.EncodeToString(sum[:]) != info.SHA256 || len(blob) != info.Size {
		return nil, info, fmt.Errorf("model %s %s: checksum mismatch", name, version)
	}
	return blob, info, nil
}

func (s *Store) modelInfo(ctx context.Context, name, version string) (ModelInfo, error) {
	info := ModelInfo{Name: name, Version: version}
	m, err := s.rdb.HGetAll(ctx, s.modelKey(name, version+":meta")).Result()
	if err != nil {
		return info, fmt.Errorf("reading model %s %s: %w", name, version, err)
	}
	if len(m) == 0 {
		return info, fmt.Errorf("model %s %s: %w", name, version, ErrNotFound)
	}
	info.Size, _ = strconv.Atoi(m["size"])
	info.Chunks, _ = strconv.Atoi(m["chunks"])
	info.SHA256 = m["sha256"]
	ms, _ := strconv.ParseInt(m["saved_at"], 10, 64)
	info.SavedAt = time.UnixMilli(ms).UTC()
	return info, nil
}

// PruneModels deletes all but the newest keep versions of name, never the
// current one. It returns the versions deleted.
func (s *Store) PruneModels(ctx context.Context, name string, keep int) ([]string, error) {
	versions, err := s.rdb.ZRevRange(ctx, s.modelKey(name, "versions"), int64(keep), -1).Result()
	if err != nil {
		return nil, fmt.Errorf("listing models: %w", err)
	}
	current, err := s.CurrentVersion(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var deleted []string
	for _, v := range versions {
		if v == current {
			continue
		}
		if err := s.deleteModel(ctx, name, v); err != nil {
			return deleted, err
		}
		deleted = append(deleted, v)
	}
	return deleted, nil
}

func (s *Store) deleteModel(ctx context.Context, name, version string) error {
	info, err := s.modelInfo(ctx, name, version)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	keys := []string{s.modelKey(name, version+":meta")}
	for k := 0; k < info.Chunks; k++ {
		keys = append(keys, s.modelKey(name, version+":"+strconv.Itoa(k)))
	}
	_, err = s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Del(ctx, keys...)
		pipe.ZRem(ctx, s.modelKey(name, "versions"), version)
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting model %s %s: %w", name, version, err)
	}
	return nil
}
