// Package synth generates a synthetic Shopify store and its clickstream: a
// catalog of schemas.Product and a time-ordered stream of schemas.Event, for
// `recsys demo`, `recsys produce`, benchmarks and offline evaluation.
//
// It consumes nothing but a Config and produces, deterministically for a
// given Config, the same catalog and the same events on every call. The data
// is built to be learnable, unlike the TouK showcase generator whose
// timestamps are unrelated to order:
//
//   - shoppers have stable tastes (1–3 weighted favourite categories); most
//     sessions start in one of them, a few explore;
//   - popularity is Zipf-like, across categories and within each category;
//   - every product has a few weighted "next" links (the next item of a
//     small collection, same-category complements, one cross-category
//     complement), and a session is a walk over those links with revisits and
//     random jumps, so the next view depends on the current one;
//   - session starts follow a Poisson process per shopper, busier in the
//     evening (hours are UTC), with a per-shopper activity level; events in a
//     session are seconds to minutes apart; sessions of one shopper never
//     overlap and are at least SessionGap apart, so a 30-minute inactivity
//     sessionizer agrees with the generated session ids;
//   - a funnel: views lead to add_to_cart, carts end in a purchase at the end
//     of some sessions, with the odd remove_from_cart.
//
// Events are yielded lazily in non-decreasing time order: memory grows with
// the number of users (one pending session each), not with the number of
// events. Times are whole milliseconds, as the Avro timestamp-millis field
// carries them, so an encode/decode round trip is exact. A session that would
// run past Config.End is cut there, so the last sessions may lack their
// checkout.
//
// Event ids are "syn-<seed>-<config hash>-<n>": the same Config replays the
// same ids, which ingest deduplicates, so re-producing a run is idempotent;
// any change to the Config (including End=time.Now()) yields fresh ids.
//
// Determinism holds for a given Config on a given platform and Go release;
// math/rand/v2's PCG and its methods are pinned by the standard library, but
// floating-point contraction on some architectures could in principle change
// a rare draw.
//
// A Generator is immutable after New and safe for concurrent use; every
// iteration of Events starts from the beginning with its own state.
package synth
