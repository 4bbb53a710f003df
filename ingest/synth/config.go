package synth

import (
	"errors"
	"fmt"
	"hash/fnv"
	"time"
)

// Limits of a Config, beyond which ids or the vocabulary would run out.
const (
	// MaxProducts keeps product ids at 13 digits, like real Shopify ids.
	MaxProducts = 1_000_000
	// MaxUsers bounds the memory of Events (one pending session per user).
	MaxUsers = 10_000_000
	// MaxSessionsPerUser bounds the mean sessions per user.
	MaxSessionsPerUser = 10_000
)

// Currency of every price the generator emits.
const Currency = "USD"

// SessionGap is the least idle time between two sessions of one user.
const SessionGap = 30 * time.Minute

// Config describes the store and the period to generate. Zero fields take
// their defaults.
type Config struct {
	// Products in the catalog, at least Categories. Default: 500.
	Products int
	// Categories of products, at most MaxCategories(). Default: 12.
	Categories int
	// Users who shop over the period (some may not visit). Default: 300.
	Users int
	// SessionsPerUser is the mean number of sessions per user over the
	// period; individual users vary around it (heavy and light shoppers).
	// Default: 6.
	SessionsPerUser float64
	// Period is how far back from End events go. Default: 30 days.
	Period time.Duration
	// End is the latest possible event time. It is fixed by default so that
	// output is reproducible; pass time.Now() for a live-looking stream.
	// Default: 2026-11-01T00:00:00Z.
	End time.Time
	// Seed of every random draw; 0 means the default. Default: 1.
	Seed int64
}

// defaultEnd is the default Config.End.
func defaultEnd() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }

// withDefaults returns c with zero fields set to their defaults and End in
// UTC, truncated to the millisecond like every event time.
func (c Config) withDefaults() Config {
	if c.Products == 0 {
		c.Products = 500
	}
	if c.Categories == 0 {
		c.Categories = 12
	}
	if c.Users == 0 {
		c.Users = 300
	}
	if c.SessionsPerUser == 0 {
		c.SessionsPerUser = 6
	}
	if c.Period == 0 {
		c.Period = 30 * 24 * time.Hour
	}
	if c.End.IsZero() {
		c.End = defaultEnd()
	}
	c.End = c.End.UTC().Truncate(time.Millisecond)
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Validate reports every field out of range, one error per rule, after
// applying defaults to zero fields.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Categories < 1 || c.Categories > MaxCategories() {
		errs = append(errs, fmt.Errorf("categories must be between 1 and %d, got %d", MaxCategories(), c.Categories))
	}
	if c.Products < c.Categories || c.Products > MaxProducts {
		errs = append(errs, fmt.Errorf("products must be between categories (%d) and %d, got %d", c.Categories, MaxProducts, c.Products))
	}
	if c.Users < 1 || c.Users > MaxUsers {
		errs = append(errs, fmt.Errorf("users must be between 1 and %d, got %d", MaxUsers, c.Users))
	}
	if !(c.SessionsPerUser > 0 && c.SessionsPerUser <= MaxSessionsPerUser) {
		errs = append(errs, fmt.Errorf("sessions per user must be in (0, %d], got %v", MaxSessionsPerUser, c.SessionsPerUser))
	}
	if c.Period < time.Hour {
		errs = append(errs, fmt.Errorf("period must be at least 1h, got %v", c.Period))
	}
	return errors.Join(errs...)
}

// fingerprint is a short hash of the effective config, part of every event
// id so that different configs never share ids.
func (c Config) fingerprint() string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%d|%d|%d|%v|%d|%d|%d", c.Products, c.Categories, c.Users,
		c.SessionsPerUser, int64(c.Period), c.End.UnixMilli(), c.Seed)
	return fmt.Sprintf("%08x", h.Sum32())
}
