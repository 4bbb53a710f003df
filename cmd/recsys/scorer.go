package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/produce"
	"github.com/recsys/recsys/scorer"
	"github.com/recsys/recsys/trainer/models"
)

// defineScorerRules defines the flags of the scorer's business rules, cold
// start, debounce, attribution and shadow model.
func defineScorerRules(f *flagSet, sc *scorer.Config) {
	f.parsed("exclude-events", "purchase", "exclude products the user acted on: event types, each with an optional window (purchase,add_to_cart=24h; none: no type)",
		func(s string) (err error) { sc.ExcludeEvents, err = scorer.ParseEventWindows(s); return err })
	f.float(&sc.SeenWeight, "seen-weight", 1, "multiply the score of products the user interacted with (with --exclude-seen=false)")
	f.boolean(&sc.KeepUnavailable, "keep-unavailable", false, "allow products the catalog marks unavailable or delisted")
	f.int(&sc.CategoryCap, "category-cap", 0, "at most this many products of one catalog category per list; 0: no cap")
	f.list(&sc.Pinned, "pin", "", "product GIDs leading every list, comma-separated")
	f.parsed("boost", "", "score factors of products: gid=1.5,gid=0.5",
		func(s string) (err error) { sc.Boost, err = scorer.ParseBoosts(s); return err })
	f.int(&sc.Depth, "rank-depth", 3, "the model ranks depth×n candidates for the rules to filter")
	f.float(&sc.ExploreShare, "explore-share", 0.1, "share of each list's slots (rounded down) for products with few interactions")
	f.int(&sc.ExploreMaxInteractions, "explore-max-interactions", 5, "a product with fewer interactions is explored")
	f.dur(&sc.Debounce, "debounce", 0, "a user's events within this long after their list get one trailing list; 0: off")
	f.dur(&sc.AttributionWindow, "attribution-window", 24*time.Hour, "credit a list's model version with views, carts, purchases of its products within this long")
	f.str(&sc.ShadowModel, "shadow-model", "", "also score with this model's current version, to --topic-shadow")
	f.str(&sc.ShadowVersion, "shadow-version", "", "pin the shadow model's version (alone: a version of --model-name)")
	f.str(&sc.ShadowTopic, "topic-shadow", "recsys.recommendations.shadow", "output topic of the shadow model's lists")
}

// parsed defines a flag whose value is parsed by set, with the environment
// fallback of the others; the default is parsed too.
func (f *flagSet) parsed(name, def, usage string, set func(string) error) {
	if v, ok := f.env(name); ok {
		def = v
	}
	if err := set(def); err != nil {
		f.errs = append(f.errs, fmt.Errorf("%s=%q: %w", envName(name), def, err))
	}
	f.Func(name, f.usage(name, usage)+" (default "+strconv.Quote(def)+")", set)
}

// newScorer builds a scorer stage on trainer snapshots, its pull API and
// the function that runs it, then closes its producer.
func newScorer(c *config, store *features.Store, log *slog.Logger, reg prometheus.Registerer) (func(context.Context) error, http.Handler, error) {
	loaders := scorer.Models{Serving: snapshotLoader(store, c.Trainer.Name, models.All())}
	if c.Scorer.Shadowed() {
		name := c.Scorer.ShadowModel
		if name == "" {
			name = c.Trainer.Name
		}
		loaders.Shadow = snapshotLoader(store, name, models.All())
	}
	token, err := c.API.token()
	if err != nil {
		return nil, nil, err
	}
	cfg := c.Scorer
	p, err := produce.New(produce.Config{Brokers: cfg.Brokers, TLS: cfg.TLS, SASL: cfg.SASL})
	if err != nil {
		return nil, nil, err
	}
	cfg.Writer = p
	s, err := scorer.New(cfg, store, loaders, log, reg)
	if err != nil {
		return nil, nil, err
	}
	run := func(ctx context.Context) error {
		defer p.Close()
		return s.Run(ctx)
	}
	return run, s.API(string(token)), nil
}

// shadowTopics is the shadow topic to create when a shadow model is configured.
func shadowTopics(c *config) []kafka.TopicConfig {
	if !c.Scorer.Shadowed() {
		return nil
	}
	return []kafka.TopicConfig{{Topic: c.Scorer.ShadowTopic, NumPartitions: c.Partitions, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}}}}
}

// apiConfig is the pull API's bearer token: from RECSYS_API_TOKEN or the
// file --api-token-file names (a mounted secret). It is not a flag, so it
// never shows in a process list or in -h.
type apiConfig struct {
	TokenFile string
	Token     apiToken
}

func (a *apiConfig) define(f *flagSet) {
	f.str(&a.TokenFile, "api-token-file", "", "file holding the pull API's bearer token (or set RECSYS_API_TOKEN); none: no auth")
	a.Token = apiToken(f.getenv("RECSYS_API_TOKEN"))
}

// token returns the configured token; "" means no authentication.
func (a *apiConfig) token() (apiToken, error) {
	if a.TokenFile == "" {
		return a.Token, nil
	}
	if a.Token != "" {
		return "", fmt.Errorf("api token: set RECSYS_API_TOKEN or --api-token-file, not both")
	}
	b, err := os.ReadFile(a.TokenFile)
	if err != nil {
		return "", fmt.Errorf("reading the api token: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("api token file %s is empty", a.TokenFile)
	}
	return apiToken(t), nil
}

// apiToken is a bearer token that never prints.
type apiToken string

func (apiToken) String() string       { return "[redacted]" }
func (apiToken) GoString() string     { return "[redacted]" }
func (apiToken) LogValue() slog.Value { return slog.StringValue("[redacted]") }
