// Package mf holds what the matrix-factorization models (trainer/als,
// trainer/bpr) share: the user × item confidence matrix built from a
// trainer.Dataset, BM25 / TF-IDF re-weighting, float32 vector kernels (AVX2
// assembly, else gonum's), a small symmetric positive definite solver that
// gives LAPACK's bits without its per-call overhead (cholesky.go,
// BenchmarkSolveSPD), factor initialisation and a bounded parallel loop.
//
// It consumes trainer.Datasets and histories and produces plain slices; it
// has no state of its own. Matrices are immutable once built and safe for
// concurrent reads; the kernels write only to the slices they are given.
package mf
