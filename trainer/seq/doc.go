// Package seq holds the sequence-aware models beyond trainer.Transitions
// (sequential rules): SessionKNN, session-based nearest neighbours in the
// V-SKNN / STAN family, and GRU, a GRU4Rec-style recurrent network with
// hand-written forward and backward passes on gonum's float32 kernels.
//
// Both are trainer.Algorithms. They consume a trainer.Dataset (each user's
// events in time order, with event types and times) and produce
// trainer.Components that score every item from a user's recent history, as
// the scorer reads it from Redis: oldest first, up to a few hundred events,
// possibly empty. Event types are features (type weights in session-kNN's
// votes; learned type vectors in the GRU's input), and so are the pauses
// between events (session boundaries; learned pause vectors).
//
// Fitting is deterministic for a given FitConfig.Seed (and, for the GRU,
// Threads), honours cancellation and never returns a partial model. Fitted
// components are immutable and safe for concurrent use; scoring allocates
// nothing but pooled scratch space. MarshalBinary/Decode round-trip a
// component exactly.
package seq
