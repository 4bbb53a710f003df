// Package scorer is the streaming recommender: it consumes recsys.interactions
// (group recsys-scorer), reads the user's history from Redis, ranks with the
// current model, applies the business rules and emits a Recommendation keyed
// by user id to recsys.recommendations, caching the latest list in Redis. It
// also serves that cache over HTTP (API: GET /v1/users/{id}/recommendations).
//
// Models: the scorer declares the Ranker it needs and receives Loaders from
// cmd/recsys (which builds trainer snapshots); it never imports the trainer.
// It loads the current version at start, hot-swaps on each announcement on
// recsys.models (and polls the current pointer as a safety net) through an
// atomic pointer, so scoring never pauses; every replica of the group does
// the same. Without any model it serves trending products (reason "popular").
// An optional shadow model is scored alongside and its lists go to a shadow
// topic only.
//
// A list: the model ranks Depth×N candidates without the excluded products
// (purchases and other event types within their windows, seen products),
// the Rules re-weight them (boosts, seen weight), drop unavailable products
// (catalog), cap categories, put pinned products first, keep ⌊ExploreShare·N⌋
// slots for products with few interactions, and fill what is left from
// trending in the category the user just viewed, then overall. A user the
// model cannot personalize (reason "popular") gets trending first. Reason
// "backfill" means the rules left none of the model's own candidates.
//
// Delivery: ingest writes Redis before it produces an interaction, so the
// history read here already includes the triggering event. Offsets are
// committed only after the lists are produced, cached and tallied; a
// redelivered batch yields the same lists again under the same recommendation
// ids, and the output is keyed so the last write per user wins. Within one
// fetched batch a user's events are coalesced into one list for the latest
// event; with Debounce, a user's further events within the window after a
// list are held (their partition's commits with them) and answered by one
// trailing list, so a lone event never waits.
//
// Tallies: every event is counted once (a per-partition high-water mark of
// interaction offsets in Redis, shared by all groups) into per-category
// trending, per-product interaction counts and attribution: a view (a
// click-through), add-to-cart or purchase of a product that a list of the
// user recommended within AttributionWindow counts for that list's model
// version, served and shadow alike; gauges export the rates per version.
//
// A Stage is driven by one goroutine (Run); Current, Shadow, Recommend and the
// API handler are safe to use from any, also while Run runs.
package scorer
