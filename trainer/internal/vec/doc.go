// Package vec holds the float32 kernels of Snapshot.Blend that run over the
// whole catalog for every ranked list: the largest score of a dense part and
// the weighted add of its scores into the blend. On amd64 with AVX they are
// assembly, eight lanes at a time, else plain loops; both give the bits of
// the plain loops. They keep no state and write only the slices given.
//
// trainer/mf has the other vector kernels, but it imports trainer, so
// trainer cannot import it.
package vec
