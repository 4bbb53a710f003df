// Package bpr is Bayesian personalised ranking (Rendle et al. 2009): matrix
// factorization with item biases trained by SGD on (user, positive item,
// negative item) triples to rank what a user chose above what they did not.
// Negatives are drawn uniformly or in proportion to a power of item
// popularity.
//
// Parallel SGD is stratified (Gemulla et al. 2011's DSGD) rather than
// Hogwild: users and items are split into as many blocks as threads, and in
// each sub-epoch every thread owns one (user block, item block) stratum, with
// negatives drawn from the stratum's item block, so no two goroutines ever
// write the same factor. There are no data races, and every random draw comes
// from a generator seeded by (seed, epoch, sub-epoch, block), so Fit is
// deterministic for a fixed Seed and thread count; a different thread count
// gives a different (equally good) model.
//
// It consumes a trainer.Dataset and produces a Model holding item factors
// and biases only. Scoring folds the user in from the history it is given
// (see FoldIn), so new users are personal from their first event. A Model is
// immutable and safe for concurrent use.
package bpr
