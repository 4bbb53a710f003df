// Package als is implicit-feedback matrix factorization by alternating least
// squares (Hu, Koren & Volinsky 2008), each half-step solved approximately by
// a few warm-started conjugate-gradient steps per row (Takács, Pilászy & Tikk
// 2011), so an iteration costs O(nnz·k + (users+items)·k²) instead of the
// O(nnz·k² + n·k³) of exact solves.
//
// It consumes a trainer.Dataset (event weights become confidences, optionally
// BM25 / TF-IDF re-weighted, on a log scale by default) and produces a Model:
// the item factors and their Gram matrix, nothing per user. Scoring folds the
// user in: it solves the user's regularised least-squares problem from the
// history it is given, so a user never seen in training, or one who clicked
// a second ago, gets personal scores without retraining. Fold-in weighs the
// newest items of the history up by position (ALS.RecentBoost), so the order
// of a history changes its scores even though training ignores order.
//
// Fit is deterministic for a fixed Seed whatever the thread count: every row
// is solved by one goroutine from the same inputs, and the Gram matrix is
// summed in fixed blocks. A Model is immutable and safe for concurrent use.
package als
