package mf

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// For runs fn(worker, lo, hi) over [0, n) in chunks of grain on up to threads
// goroutines (<= 0: GOMAXPROCS) and returns when all have finished. Workers
// take chunks in order from a shared counter and stop taking new ones once ctx
// is cancelled, in which case For returns ctx.Err() and some chunks were not
// run. worker is in [0, threads): index per-worker scratch with it.
func For(ctx context.Context, n, threads, grain int, fn func(worker, lo, hi int)) error {
	threads = Threads(threads)
	grain = max(grain, 1)
	threads = min(threads, (n+grain-1)/grain)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(int64(grain))) - grain
				if lo >= n {
					return
				}
				fn(w, lo, min(lo+grain, n))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// Threads resolves a thread count: <= 0 means GOMAXPROCS.
func Threads(t int) int {
	if t <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return t
}
