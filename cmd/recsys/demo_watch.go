package main

import (
	"context"
	"encoding/json"
	"fmt"
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
	latest  map[string][]byte // the latest list of each user (the record key), decoded when asked for; nil: none kept
	lists   int
	hist    *latencyHist
	recent  *latencyHist // since the last takeRecent: the bench's per-second p99
	// delivery measures from the list's own Kafka timestamp (its produce)
	// to its arrival here: the output topic's share of the latency.
	delivery *latencyHist
}

// newOutputWatch watches topic; keepLists keeps every user's latest list for
// recommendation (the demo shows them; the bench does not, so that its
// memory is recsys's).
func newOutputWatch(brokers []string, topic string, keepLists bool) *outputWatch {
	w := &outputWatch{brokers: brokers, topic: topic, hist: newLatencyHist(), recent: newLatencyHist(), delivery: newLatencyHist()}
	if keepLists {
		w.latest = map[string][]byte{}
	}
	return w
}

// resetLatency starts a new measurement window.
func (w *outputWatch) resetLatency() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hist, w.delivery = newLatencyHist(), newLatencyHist()
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
		w.mu.Lock()
		w.lists++
		if w.latest != nil {
			w.latest[string(m.Key)] = m.Value
		}
		if src, ok := scorer.SourceTime(m.Headers); ok {
			w.hist.observe(now.Sub(src))
			w.recent.observe(now.Sub(src))
			w.delivery.observe(now.Sub(m.Time))
		}
		w.mu.Unlock()
	}
}

// takeRecent returns the p99 and the maximum latency since the last call.
func (w *outputWatch) takeRecent() (p99, maximum time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p99, maximum = w.recent.quantile(0.99), w.recent.max
	w.recent = newLatencyHist()
	return p99, maximum
}

// stats returns the lists seen and the latency of the current window.
func (w *outputWatch) stats() latencyStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return latencyStats{
		lists: w.lists, measured: int(w.hist.n), maximum: w.hist.max,
		p50: w.hist.quantile(0.50), p95: w.hist.quantile(0.95), p99: w.hist.quantile(0.99),
		deliveryP50: w.delivery.quantile(0.50), deliveryP99: w.delivery.quantile(0.99),
	}
}

// recommendation returns the latest list of user, if one arrived.
func (w *outputWatch) recommendation(user string) (schemas.Recommendation, bool, error) {
	w.mu.Lock()
	b, ok := w.latest[user]
	w.mu.Unlock()
	var r schemas.Recommendation
	if !ok {
		return r, false, nil
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, false, fmt.Errorf("decoding the list of %s: %w", user, err)
	}
	return r, true, nil
}
