// Package explicit predicts ratings: a baseline of biases, biased matrix
// factorization trained by SGD with the prediction squashed into the rating
// range (the fastai collab recipe), and alternating least squares with
// weighted-λ regularisation (the Spark MLlib recipe) on the residuals of the
// baseline. Search picks hyperparameters from a small grid on a validation
// split carved from the training ratings, never from the test ratings.
//
// It consumes Ratings (trainer/datasets reads MovieLens) and produces
// Models that predict one rating or score every item for a user, for the
// EXP protocol of trainer/eval. Fitting is single-threaded SGD (so it is
// deterministic for a seed) or multi-threaded ALS (deterministic too: each
// row is solved by one goroutine). A Model is immutable and safe for
// concurrent use.
package explicit
