// Package trainer fits recommendation models from the interaction log,
// evaluates them, and promotes versioned snapshots.
//
// Models are Algorithms that fit Components; a Snapshot blends the
// components of one training run over one item vocabulary and is what the
// scorer ranks with. Adding a model is one file implementing Algorithm and
// Component plus one line in Algorithms. A component that scores few items
// per history (transitions, sknn) also implements SparseComponent, so that
// Snapshot.Blend works on those items only instead of the whole catalog;
// Rank's results are the same bit for bit either way.
//
// The Stage (loop.go) replays a window of recsys.interactions, fits every
// configured algorithm, evaluates the candidate on a temporal holdout against
// the current snapshot and popularity, and, when it is not worse beyond a
// tolerance, saves it under a new version in Redis, flips the current pointer
// and announces it on recsys.models. A failed or cancelled run never replaces
// the current model.
//
// Fitted Components and Snapshots are immutable and safe for concurrent use.
package trainer
