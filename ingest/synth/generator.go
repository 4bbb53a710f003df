package synth

import (
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/recsys/recsys/schemas"
)

// Generator is a synthetic store and its shoppers. It is immutable and safe
// for concurrent use.
type Generator struct {
	cfg    Config
	prefix string // of event and session ids: "syn-<seed>-<config hash>"
	cat    *catalog
	users  []shopper
}

// New builds the store and shoppers of cfg, with defaults for zero fields.
// Building is O(Products + Users); events are drawn only when iterated.
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validating synth config: %w", err)
	}
	cfg = cfg.withDefaults()
	g := &Generator{
		cfg:    cfg,
		prefix: "syn-" + strconv.FormatInt(cfg.Seed, 10) + "-" + cfg.fingerprint(),
		cat:    newCatalog(cfg),
	}
	g.users = newShoppers(cfg, g.cat)
	return g, nil
}

// Config returns the effective config, defaults applied.
func (g *Generator) Config() Config { return g.cfg }

// Catalog returns a copy of the products in id order. Every product is
// available; prices are in Currency.
func (g *Generator) Catalog() []schemas.Product {
	out := make([]schemas.Product, len(g.cat.products))
	for i := range g.cat.products {
		out[i] = g.cat.products[i].Product
	}
	return out
}

// Users returns the user ids, "user-0000" to "user-<Users-1>". Users with
// low activity may have no events.
func (g *Generator) Users() []string {
	out := make([]string, len(g.users))
	for i := range g.users {
		out[i] = g.users[i].id
	}
	return out
}

// Tastes returns the favourite categories of user, strongest first, as the
// Category of catalog products; nil for an unknown user. It is the ground
// truth the events were drawn from.
func (g *Generator) Tastes(user string) []string {
	n, ok := strings.CutPrefix(user, "user-")
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i < 0 || i >= len(g.users) || g.users[i].id != user {
		return nil
	}
	out := make([]string, len(g.users[i].tastes))
	for k, c := range g.users[i].tastes {
		out[k] = g.cat.categories[c].name
	}
	return out
}

// Events yields every event of the period in non-decreasing time order,
// generating each session lazily when the stream reaches it; memory is
// O(Users). Every iteration replays the same events with the same ids.
// Events carry the product GID, quantity (1 for views), the product's price
// and Currency; EventID is unique within the Config.
func (g *Generator) Events() iter.Seq[schemas.Event] {
	return func(yield func(schemas.Event) bool) {
		s := g.newStream()
		for len(s.pending) > 0 {
			if !yield(s.pop()) {
				return
			}
		}
	}
}
