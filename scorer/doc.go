// Package scorer is the streaming recommender: it consumes recsys.interactions
// (group recsys-scorer), reads the user's history from Redis, ranks with the
// current model and emits a Recommendation keyed by user id to
// recsys.recommendations, caching the latest list in Redis.
//
// Models: the scorer declares the Ranker it needs and receives a Loader from
// cmd/recsys (which builds trainer snapshots); it never imports the trainer.
// It loads the current version at start, hot-swaps on each announcement on
// recsys.models (and polls the current pointer as a safety net) through an
// atomic pointer, so scoring never pauses. Without any model it serves
// time-decayed popularity from Redis (reason "popular").
//
// Delivery: ingest writes Redis before it produces an interaction, so the
// history read here already includes the triggering event. Offsets are
// committed only after the lists are produced and cached; a redelivered batch
// yields the same lists again under the same recommendation ids, and the
// output is keyed so the last write per user wins. Within one fetched batch a
// user's events are coalesced into one list for the latest event (no added
// latency: the batch is already in hand).
//
// A Stage is driven by one goroutine (Run); Current is safe to call from any.
package scorer
