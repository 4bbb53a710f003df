package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

// outputWatch consumes the recommendations topic as a user of recsys would,
// measuring event→recommendation latency from the header ingest stamps.
type outputWatch struct {
	brokers []string
	topic   string
	mu      sync.Mutex
	latest  map[string]schemas.Recommendation
	lists   int
	samples []sample
}

type sample struct {
	at      time.Time
	latency time.Duration
}

func newOutputWatch(brokers []string, topic string) *outputWatch {
	return &outputWatch{brokers: brokers, topic: topic, latest: map[string]schemas.Recommendation{}}
}

func (w *outputWatch) run(ctx context.Context) error {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: w.brokers, Topic: w.topic, GroupID: fmt.Sprintf("recsys-demo-watch-%d", time.Now().UnixNano()),
		StartOffset: kafka.FirstOffset, MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 500 * time.Millisecond,
		ReadBackoffMin: 2 * time.Millisecond, ReadBackoffMax: time.Second,
	})
	defer rd.Close()
	for {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watching %s: %w", w.topic, err)
		}
		now := time.Now()
		var r schemas.Recommendation
		if err := json.Unmarshal(m.Value, &r); err != nil {
			return fmt.Errorf("decoding recommendation at offset %d: %w", m.Offset, err)
		}
		w.mu.Lock()
		w.lists++
		w.latest[r.UserID] = r
		if src, ok := scorer.SourceTime(m.Headers); ok {
			w.samples = append(w.samples, sample{now, now.Sub(src)})
		}
		w.mu.Unlock()
	}
}

// stats returns the lists seen and latency percentiles of lists received after from.
func (w *outputWatch) stats(from time.Time) (lists, measured int, p50, p99, worst time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var lat []time.Duration
	for _, s := range w.samples {
		if !s.at.Before(from) {
			lat = append(lat, s.latency)
		}
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		return w.lists, 0, 0, 0, 0
	}
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return w.lists, len(lat), pct(0.50), pct(0.99), lat[len(lat)-1]
}

func (w *outputWatch) recommendation(user string) (schemas.Recommendation, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.latest[user]
	return r, ok
}
