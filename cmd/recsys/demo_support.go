package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// demoSummary is what the demo reports at the end.
type demoSummary struct {
	sent int
	bad  [][]byte
	err  error
}

func collectEvents(gen *synth.Generator) []schemas.Event {
	var events []schemas.Event
	for e := range gen.Events() {
		events = append(events, e)
	}
	return events
}

// badRecords are malformed inputs the demo mixes in to show the DLQ at work.
func badRecords() [][]byte {
	return [][]byte{
		[]byte(`this is not an event`),
		[]byte(`{"event_id":"bad-1","type":"view","product":"1","ts":"2026-11-01T10:00:00Z"}`),
		[]byte(`{"event_id":"bad-2","user_id":"has spaces in it","type":"view","product":"1","ts":"2026-11-01T10:00:00Z"}`),
		[]byte(`{"event_id":"bad-3","user_id":"u","type":"teleport","product":"1","ts":"2026-11-01T10:00:00Z"}`),
	}
}

// messages encodes events as canonical JSON, with bad records spread among them.
func messages(events []schemas.Event, bad [][]byte) func(func(kafka.Message, error) bool) {
	return func(yield func(kafka.Message, error) bool) {
		every := len(events)/(len(bad)+1) + 1
		for k, e := range events {
			if b := k / every; k%every == every/2 && b < len(bad) {
				if !yield(kafka.Message{Value: bad[b]}, nil) {
					return
				}
			}
			v, err := schemas.EncodeEventJSON(e)
			if !yield(kafka.Message{Key: []byte(e.UserID), Value: v}, err) {
				return
			}
		}
	}
}

func waitModel(ctx context.Context, store *features.Store, name string) error {
	for {
		if _, err := store.CurrentVersion(ctx, name); err == nil {
			return nil
		} else if !errors.Is(err, features.ErrNotFound) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no model was promoted in time: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitDrained waits until ingest has handled every record sent and the scorer
// (when scoring) every interaction ingest produced.
func waitDrained(ctx context.Context, reg *prometheus.Registry, scoring bool) error {
	var prev counts
	changed := time.Now()
	for {
		c := gatherCounts(reg)
		if c.ingested != prev.ingested || c.scored != prev.scored {
			prev, changed = c, time.Now()
		}
		if c.ingested > 0 && (c.scored >= c.forwarded || !scoring) && time.Since(changed) >= 500*time.Millisecond {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pipeline did not drain in time: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// counts are the pipeline's counters, read from the metrics registry.
type counts struct {
	ingested, forwarded, duplicates, dlq, scored, lists float64
	dlqByClass                                          map[string]float64
	ingestBatches, scorerBatches                        batchTimes
	// trainer runs finished (any outcome), those promoted, and their seconds
	trainRuns, trainPromoted, trainSecs float64
	// records deleted by retention before their consumer group read them
	behindRetention float64
}

// batchTimes sums a stage's batch histograms: how many batches, their
// records, and the seconds spent in Redis (ingest: applying; the scorer:
// reading users), producing, and in all (the scorer: the whole batch).
type batchTimes struct{ batches, records, redis, produce, total float64 }

func (b batchTimes) minus(o batchTimes) batchTimes {
	return batchTimes{b.batches - o.batches, b.records - o.records, b.redis - o.redis, b.produce - o.produce, b.total - o.total}
}

// observe adds h, the histogram name of one of a stage's batch histograms, to b.
func (b *batchTimes) observe(name string, h interface {
	GetSampleCount() uint64
	GetSampleSum() float64
}) {
	switch {
	case strings.HasSuffix(name, "_batch_size"):
		b.batches += float64(h.GetSampleCount())
		b.records += h.GetSampleSum()
	case strings.HasSuffix(name, "_redis_seconds"):
		b.redis += h.GetSampleSum()
	case strings.HasSuffix(name, "_produce_seconds"):
		b.produce += h.GetSampleSum()
	case strings.HasSuffix(name, "_batch_seconds"):
		b.total += h.GetSampleSum()
	}
}

func gatherCounts(reg *prometheus.Registry) counts {
	c := counts{dlqByClass: map[string]float64{}}
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			label := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" || l.GetName() == "class" {
					label = l.GetValue()
				}
			}
			v := m.GetCounter().GetValue()
			switch mf.GetName() {
			case "recsys_ingest_events_total":
				c.ingested += v
				if label == "applied" || label == "replayed" {
					c.forwarded += v
				}
				if label == "duplicate" {
					c.duplicates += v
				}
			case "recsys_ingest_dlq_total":
				c.dlq += v
				c.dlqByClass[label] += v
			case "recsys_scorer_events_total":
				c.scored += v
			case "recsys_scorer_recommendations_total":
				c.lists += v
			case "recsys_trainer_run_seconds":
				c.trainRuns += float64(m.GetHistogram().GetSampleCount())
				c.trainSecs += m.GetHistogram().GetSampleSum()
			case "recsys_trainer_runs_total":
				if label == "promoted" {
					c.trainPromoted += v
				}
			case "recsys_consumer_behind_retention":
				c.behindRetention += m.GetGauge().GetValue()
			case "recsys_ingest_batch_size", "recsys_ingest_redis_seconds", "recsys_ingest_produce_seconds":
				c.ingestBatches.observe(mf.GetName(), m.GetHistogram())
			case "recsys_scorer_batch_size", "recsys_scorer_redis_seconds", "recsys_scorer_produce_seconds", "recsys_scorer_batch_seconds":
				c.scorerBatches.observe(mf.GetName(), m.GetHistogram())
			}
		}
	}
	return c
}
