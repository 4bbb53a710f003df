package main

import (
	"math"
	"time"
)

// latencyHist is a fixed-memory histogram of durations: log-spaced buckets
// 2% wide from 10µs to ~100s, so percentiles are within 2% and memory stays
// flat however many lists are measured.
type latencyHist struct {
	counts []uint64
	n      uint64
	max    time.Duration
}

const (
	histMin     = 10 * time.Microsecond
	histGrowth  = 1.02
	histBuckets = 820 // 10µs · 1.02^820 ≈ 110s
)

func newLatencyHist() *latencyHist { return &latencyHist{counts: make([]uint64, histBuckets)} }

func (h *latencyHist) observe(d time.Duration) {
	k := 0
	if d > histMin {
		k = min(histBuckets-1, int(math.Log(float64(d)/float64(histMin))/math.Log(histGrowth))+1)
	}
	h.counts[k]++
	h.n++
	h.max = max(h.max, d)
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *latencyHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	target := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for k, c := range h.counts {
		if seen += c; seen >= target {
			return min(h.max, time.Duration(float64(histMin)*math.Pow(histGrowth, float64(k))))
		}
	}
	return h.max
}

// latencyStats summarizes a histogram.
type latencyStats struct {
	lists, measured        int
	p50, p95, p99, maximum time.Duration
	// of which the output topic: from the list's produce to its arrival
	deliveryP50, deliveryP99 time.Duration
}
