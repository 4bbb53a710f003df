package ingest

import (
	"context"

	"github.com/recsys/recsys/features"
)

// linkIdentities records the aliases the batch's events carried (a Snowplow
// duid with a uid, a Shopify clientId with a customer id) and merges each
// anonymous history into its user's, after ApplyUsers (so the merge includes the
// batch's own anonymous events) and before the produce (so the scorer sees
// the merged history with the first interaction it is asked to score).
// features.Store.Link is idempotent, so a retry or a redelivery is safe.
func (s *Stage) linkIdentities(ctx context.Context, results []Result) error {
	var aliases []features.Alias
	for _, r := range results {
		aliases = append(aliases, r.Aliases...)
	}
	if len(aliases) == 0 {
		return nil
	}
	return s.retry(ctx, "linking identities", func(ctx context.Context) error {
		return s.store.Link(ctx, aliases)
	})
}
