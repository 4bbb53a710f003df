package scorer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// consume is the scoring loop: fetch a batch, score, produce, cache, tally,
// commit what is done. Events held back by the debouncer are answered when
// their window ends (or at shutdown) and hold back their partition's commits.
func (s *Stage) consume(ctx context.Context) error {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: s.cfg.Brokers, GroupID: s.cfg.GroupID, Topic: s.cfg.Topic,
		Dialer:      s.cfg.dialer(),
		StartOffset: kafka.FirstOffset, CommitInterval: s.cfg.CommitInterval, MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 500 * time.Millisecond,
		QueueCapacity: s.cfg.BatchSize, ReadLagInterval: -1,
		// kafka-go sleeps ReadBackoffMin (default 100ms) after an idle fetch
		// that missed its own deadline: a latency spike. Back off from 2ms.
		ReadBackoffMin: 2 * time.Millisecond, ReadBackoffMax: time.Second,
		// kafka-go reports here, among others, a committed offset that
		// retention has passed (it then skips to the first record kept).
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
			s.log.Warn("kafka client: "+fmt.Sprintf(msg, args...), "topic", s.cfg.Topic)
		}),
	})
	defer rd.Close()
	loop := &loopState{deb: newDebouncer(s.cfg.Debounce), fetched: map[partition]int64{}, committed: map[partition]int64{},
		backoff: 100 * time.Millisecond}
	for ctx.Err() == nil {
		batch := s.fetchOrWait(ctx, rd, loop)
		events := s.decode(batch)
		now := time.Now()
		ready, held := loop.deb.admit(now, coalesce(events, s.metrics.coalesced.Inc))
		s.metrics.debounced.Add(float64(held))
		leading := len(ready)
		ready = append(ready, loop.deb.due(now)...)
		if len(batch) == 0 && len(ready) == 0 {
			continue
		}
		if !s.process(ctx, rd, loop, batch, work{events: events, ready: ready, leading: leading}) {
			return nil
		}
	}
	// Answer the events still waiting for a trailing list before leaving.
	if rest := loop.deb.drain(); len(rest) > 0 {
		s.process(ctx, rd, loop, nil, work{ready: rest})
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	s.flushLists(fctx)
	return nil
}

// loopState is what the consume loop remembers between batches.
type loopState struct {
	deb       *debouncer
	fetched   map[partition]int64 // highest offset fetched per partition
	committed map[partition]int64 // highest offset committed per partition
	backoff   time.Duration       // before the next fetch after a failed one
}

// fetchOrWait fetches a batch. A failure (a broker outage or a rebalance:
// kafka-go's reader reconnects and rejoins by itself) is logged and waited
// out with backoff, returning no batch.
func (s *Stage) fetchOrWait(ctx context.Context, rd *kafka.Reader, loop *loopState) []kafka.Message {
	batch, err := s.fetchBatch(ctx, rd, loop.deb)
	if err == nil || ctx.Err() != nil {
		loop.backoff = 100 * time.Millisecond
		return batch
	}
	s.metrics.retries.Inc()
	s.log.Warn("fetching interactions failed; retrying", "topic", s.cfg.Topic, "backoff", loop.backoff, "err", err)
	select {
	case <-ctx.Done():
	case <-time.After(loop.backoff):
	}
	loop.backoff = min(2*loop.backoff, 5*time.Second)
	return nil
}

// process handles one unit of work and commits what it completes, retrying
// transient failures. It reports false when it gave up (shutdown during a
// retry): the uncommitted records will be redelivered.
func (s *Stage) process(ctx context.Context, rd *kafka.Reader, loop *loopState, batch []kafka.Message, w work) bool {
	for _, m := range batch {
		p := partition{m.Topic, m.Partition}
		loop.fetched[p] = max(loop.fetched[p], m.Offset)
	}
	if len(batch) > 0 {
		s.metrics.batchSize.Observe(float64(len(batch)))
	}
	start := time.Now()
	defer func() { s.metrics.batchSecs.Observe(time.Since(start).Seconds()) }()
	// Finish the work in hand even if ctx ends now.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.retry(ctx, hctx, func() error {
		if err := s.handle(hctx, w); err != nil {
			return err
		}
		return s.commit(hctx, rd, loop)
	})
	if err != nil {
		s.log.Warn("stopping with uncommitted records; they will be redelivered", "topic", s.cfg.Topic, "err", err)
		return false
	}
	loop.deb.sent(time.Now(), w.ready)
	return true
}

// commit commits, per partition, everything fetched below the earliest event
// still waiting for its trailing list.
func (s *Stage) commit(ctx context.Context, rd *kafka.Reader, loop *loopState) error {
	held := loop.deb.lowest()
	var msgs []kafka.Message
	for p, off := range loop.fetched {
		if h, ok := held[p]; ok {
			off = h - 1
		}
		if c, ok := loop.committed[p]; off < 0 || (ok && off <= c) {
			continue
		}
		msgs = append(msgs, kafka.Message{Topic: p.topic, Partition: p.id, Offset: off})
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := rd.CommitMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("committing offsets: %w", err)
	}
	for _, m := range msgs {
		loop.committed[partition{m.Topic, m.Partition}] = m.Offset
	}
	return nil
}

// fetchBatch blocks for one record (at most until the next debounced list is
// due), then takes the records the reader already holds (batches grow with
// the load; a quiet stream waits for nothing) and, with a BatchLinger, what
// arrives within it.
func (s *Stage) fetchBatch(ctx context.Context, rd *kafka.Reader, deb *debouncer) ([]kafka.Message, error) {
	fctx := ctx
	if due, ok := deb.next(); ok {
		var cancel context.CancelFunc
		fctx, cancel = context.WithDeadline(ctx, due)
		defer cancel()
	}
	m, err := rd.FetchMessage(fctx)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, nil // a debounced list is due
		}
		return nil, err
	}
	batch := []kafka.Message{m}
	for held := queued(rd); held > 0 && len(batch) < s.cfg.BatchSize; held = queued(rd) {
		for ; held > 0 && len(batch) < s.cfg.BatchSize; held-- {
			m, err := rd.FetchMessage(ctx)
			if err != nil {
				return batch, nil
			}
			batch = append(batch, m)
		}
	}
	if s.cfg.BatchLinger <= 0 {
		return batch, nil
	}
	lctx, cancel := context.WithTimeout(ctx, s.cfg.BatchLinger)
	defer cancel()
	for len(batch) < s.cfg.BatchSize {
		m, err := rd.FetchMessage(lctx)
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	return batch, nil
}

// queued is how many fetched records rd holds, which FetchMessage then
// returns without waiting. kafka-go has no non-blocking fetch, and one with
// a done context picks at random between the record and the error.
func queued(rd *kafka.Reader) int { return int(rd.Stats().QueueLength) }

// retry runs fn until it succeeds, backing off from 100ms to 5s. It gives up
// when stop ends (shutdown: the batch stays uncommitted and is redelivered)
// or when hctx, the batch's own deadline after shutdown began, ends.
func (s *Stage) retry(stop, hctx context.Context, fn func() error) error {
	backoff := 100 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return nil
		}
		s.metrics.retries.Inc()
		s.log.Warn("scoring batch failed; retrying", "err", err, "backoff", backoff)
		select {
		case <-time.After(backoff):
		case <-stop.Done():
			return errors.Join(err, stop.Err())
		case <-hctx.Done():
			return errors.Join(err, hctx.Err())
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}
