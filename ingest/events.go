package ingest

import (
	"context"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/produce"
	"github.com/recsys/recsys/schemas"
)

// runEvents is the event loop: clickstream in; Redis, interactions and DLQ out.
func (s *Stage) runEvents(ctx context.Context) error {
	w, err := s.newWriter()
	if err != nil {
		return err
	}
	defer w.Close()
	r := s.newReader(s.cfg.Topic, s.cfg.GroupID)
	defer func() {
		if err := r.Close(); err != nil {
			s.log.Warn("closing reader", "topic", s.cfg.Topic, "err", err)
		}
	}()
	s.log.Info("ingesting", "topic", s.cfg.Topic, "group", s.cfg.GroupID, "output", s.cfg.OutputTopic, "dlq", s.cfg.DLQTopic)
	s.consume(ctx, r, func(ctx context.Context, msgs []kafka.Message) (batchSteps, error) {
		b, err := s.prepareEvents(ctx, msgs)
		if err != nil {
			return batchSteps{}, err
		}
		return batchSteps{
			apply: func(ctx context.Context) error { return s.applyEvents(ctx, b) },
			emit:  func(ctx context.Context) error { return s.emitEvents(ctx, w, b) },
		}, nil
	})
	return nil
}

// eventBatch is one micro-batch on its way through the event loop.
type eventBatch struct {
	msgs    []kafka.Message
	results []Result // results[i] is what became of msgs[i]
	// The interactions to apply, in batch order (offset order per partition,
	// as features.Store.ApplyUsers requires), with their encoding and record.
	ins    []schemas.Interaction
	values [][]byte
	from   []int
	// dups counts event ids repeated inside one record, dropped before ApplyUsers
	// (which would call the second a replay, its source being the same).
	dups     int
	outcomes []features.Outcome
}

// prepareEvents decodes, validates and encodes a batch and resolves its
// product handles: everything before its first write. It fails only when
// ctx ends first.
func (s *Stage) prepareEvents(ctx context.Context, msgs []kafka.Message) (*eventBatch, error) {
	s.m.batchSize.Observe(float64(len(msgs)))
	b := &eventBatch{msgs: msgs, results: make([]Result, len(msgs))}
	if err := s.fetchSchemas(ctx, msgs); err != nil {
		return nil, err
	}
	for i, m := range msgs {
		b.results[i] = s.pipe.decode(Record{Value: m.Value, Time: recordTime(m),
			Source: schemas.Offset{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset}})
	}
	err := s.retry(ctx, "resolving product handles", func(ctx context.Context) error {
		return s.pipe.resolve(ctx, b.results)
	})
	if err != nil {
		return nil, err
	}
	s.collect(b)
	return b, nil
}

// applyEvents writes one batch's per-user effects to Redis. They come before
// the interactions (emitEvents), so the scorer never sees an interaction
// whose history is not yet in Redis; popularity, which no list reads at once,
// goes alongside the interactions. Transient failures are retried here.
func (s *Stage) applyEvents(ctx context.Context, b *eventBatch) error {
	err := s.retry(ctx, "applying to redis", func(ctx context.Context) error {
		start := time.Now()
		out, err := s.store.ApplyUsers(ctx, b.ins)
		if err == nil {
			b.outcomes = out
			s.m.redisSecs.Observe(time.Since(start).Seconds())
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.linkIdentities(ctx, b.results)
}

// emitEvents produces one applied batch's interactions and DLQ records while
// it adds the batch to popularity, then counts its events. Transient
// failures are retried here.
func (s *Stage) emitEvents(ctx context.Context, w *produce.Producer, b *eventBatch) error {
	out := s.messages(b)
	var g errgroup.Group
	g.Go(func() error {
		return s.retry(ctx, "producing interactions and DLQ records", func(ctx context.Context) error {
			start := time.Now()
			err := w.WriteMessages(ctx, out...)
			if err == nil {
				s.m.produceSec.Observe(time.Since(start).Seconds())
			}
			return err
		})
	})
	g.Go(func() error {
		return s.retry(ctx, "adding to popularity", func(ctx context.Context) error {
			return s.store.AddPopularity(ctx, b.ins, b.outcomes)
		})
	})
	if err := g.Wait(); err != nil {
		return err
	}
	s.count(b)
	return nil
}

// collect gathers the interactions to apply and encodes them. An
// interaction that cannot be encoded (which validation should make
// impossible) is rejected rather than allowed to block the partition.
func (s *Stage) collect(b *eventBatch) {
	for i := range b.results {
		res := &b.results[i]
		var seen map[string]bool
		for k, in := range res.Interactions {
			if len(res.Interactions) > 1 {
				if seen == nil {
					seen = map[string]bool{}
				}
				id := in.UserID + "\x00" + in.EventID
				if seen[id] {
					b.dups++
					continue
				}
				seen[id] = true
			}
			v, err := s.codecs.EncodeInteraction(in)
			if err != nil {
				res.Rejects = append(res.Rejects, Reject{Index: res.Positions[k], Err: &Error{Class: InvalidValue, Msg: "cannot encode interaction", Err: err}})
				continue
			}
			b.ins, b.values, b.from = append(b.ins, in), append(b.values, v), append(b.from, i)
		}
	}
}

// messages builds the interactions to produce (applied and replayed; a
// duplicate was already produced from the record that applied it) and the
// DLQ records.
func (s *Stage) messages(b *eventBatch) []kafka.Message {
	out := make([]kafka.Message, 0, len(b.ins))
	for k, in := range b.ins {
		if b.outcomes[k] == features.Duplicate {
			continue
		}
		ts := strconv.AppendInt(nil, recordTime(b.msgs[b.from[k]]).UnixMilli(), 10)
		out = append(out, kafka.Message{Topic: s.cfg.OutputTopic, Key: []byte(in.UserID), Value: b.values[k],
			Headers: []kafka.Header{{Key: HeaderSourceTS, Value: ts}}})
	}
	for i, res := range b.results {
		msg := b.msgs[i]
		if res.Err != nil {
			out = append(out, dlqMessage(s.cfg.DLQTopic, msg, res.Err, -1))
			s.log.Debug("rejected record", "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset,
				"class", res.Err.Class, "err", res.Err)
		}
		for _, rj := range res.Rejects {
			index := -1
			if res.Multi {
				index = rj.Index
			}
			out = append(out, dlqMessage(s.cfg.DLQTopic, msg, rj.Err, index))
			s.log.Debug("rejected event", "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset,
				"event_index", rj.Index, "class", rj.Err.Class, "err", rj.Err)
		}
	}
	return out
}

// count records a finished batch in the metrics.
func (s *Stage) count(b *eventBatch) {
	byOutcome := map[string]int{features.Duplicate.String(): b.dups}
	for _, o := range b.outcomes {
		byOutcome[o.String()]++
	}
	for _, res := range b.results {
		byOutcome[outcomeIgnored] += res.Ignored
		if res.Err != nil {
			byOutcome[outcomeRejected]++
			s.m.dlq.WithLabelValues(string(res.Err.Class)).Inc()
		}
		byOutcome[outcomeRejected] += len(res.Rejects)
		for _, rj := range res.Rejects {
			s.m.dlq.WithLabelValues(string(rj.Err.Class)).Inc()
		}
	}
	for o, n := range byOutcome {
		s.m.events.WithLabelValues(o).Add(float64(n))
	}
}
