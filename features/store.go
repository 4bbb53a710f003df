package features

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// Config configures a Store.
type Config struct {
	// Prefix starts every key. Default: "recsys".
	Prefix string
	// HistoryLen caps each user's history (trimmed once it is an eighth
	// over). An event id is remembered, for dedupe, while its event is in the
	// history. Default: 200.
	HistoryLen int
	// SeenLen caps each user's seen set (trimmed once it is an eighth over).
	// Default: 1000.
	SeenLen int
	// UserTTL expires a user's keys after inactivity; 0 keeps them. Default: 90 days.
	UserTTL time.Duration
	// RecommendationTTL expires cached lists. Default: 7 days.
	RecommendationTTL time.Duration
	// PopularityHalfLife is the half-life of popularity. Default: 72h.
	PopularityHalfLife time.Duration
	// Weights of each event type in popularity. Default: view 1, add_to_cart 3, remove_from_cart 0, purchase 5.
	Weights map[schemas.EventType]float64
	// ChunkSize splits model snapshots into values of at most this many bytes. Default: 4 MiB.
	ChunkSize int
}

// DefaultWeights are the event-type weights used when Config.Weights is nil.
func DefaultWeights() map[schemas.EventType]float64 {
	return map[schemas.EventType]float64{
		schemas.View: 1, schemas.AddToCart: 3, schemas.RemoveFromCart: 0, schemas.Purchase: 5,
	}
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Prefix == "" {
		c.Prefix = "recsys"
	}
	def(&c.HistoryLen, 200)
	def(&c.SeenLen, 1000)
	def(&c.ChunkSize, 4<<20)
	defDur(&c.RecommendationTTL, 7*24*time.Hour)
	defDur(&c.PopularityHalfLife, 72*time.Hour)
	if c.UserTTL == 0 {
		c.UserTTL = 90 * 24 * time.Hour
	}
	if c.Weights == nil {
		c.Weights = DefaultWeights()
	}
	return c
}

// Validate reports every invalid field of c (after defaults), one line each.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.HistoryLen < 1 || c.SeenLen < 1 {
		errs = append(errs, errors.New("features: history and seen lengths must be positive"))
	}
	if c.UserTTL < 0 || c.RecommendationTTL < 0 || c.PopularityHalfLife < time.Minute {
		errs = append(errs, errors.New("features: durations must be positive (popularity half-life ≥ 1m)"))
	}
	if c.ChunkSize < 1024 {
		errs = append(errs, errors.New("features: chunk size must be at least 1 KiB"))
	}
	for t, w := range c.Weights {
		if !t.Valid() || w < 0 {
			errs = append(errs, fmt.Errorf("features: weight %q=%v: unknown type or negative", t, w))
		}
	}
	return errors.Join(errs...)
}

// Store reads and writes recsys state in Redis.
type Store struct {
	rdb redis.UniversalClient
	cfg Config
	// usersPerScript is how many users' events one apply script call
	// takes: many on one Redis, which spreads the cost of a call (about a
	// tenth of ingest's Redis CPU); one on a Redis Cluster, where the keys of
	// a script must share a slot.
	usersPerScript int
}

// New returns a Store on rdb. cfg is defaulted; call cfg.Validate first to report errors.
func New(rdb redis.UniversalClient, cfg Config) *Store {
	s := &Store{rdb: rdb, cfg: cfg.withDefaults(), usersPerScript: 64}
	if _, cluster := rdb.(*redis.ClusterClient); cluster {
		s.usersPerScript = 1
	}
	return s
}

// Config returns the defaulted configuration.
func (s *Store) Config() Config { return s.cfg }

// Client returns the underlying Redis client (for health checks).
func (s *Store) Client() redis.UniversalClient { return s.rdb }

func (s *Store) userKey(user, kind string) string {
	return s.cfg.Prefix + ":{u:" + user + "}:" + kind
}

func (s *Store) popKey(kind string) string     { return s.cfg.Prefix + ":{pop}:" + kind }
func (s *Store) catalogKey(kind string) string { return s.cfg.Prefix + ":{catalog}:" + kind }
func (s *Store) modelKey(name, kind string) string {
	return s.cfg.Prefix + ":{model:" + name + "}:" + kind
}
