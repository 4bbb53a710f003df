package scorer

import (
	"context"
	"errors"
	"time"

	"github.com/segmentio/kafka-go"
)

// consume is the scoring loop: fetch a batch, score, produce, cache, commit.
func (s *Stage) consume(ctx context.Context) error {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: s.cfg.Brokers, GroupID: s.cfg.GroupID, Topic: s.cfg.Topic,
		StartOffset: kafka.FirstOffset, CommitInterval: 0, MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 500 * time.Millisecond,
		QueueCapacity: s.cfg.BatchSize, ReadLagInterval: -1,
		// kafka-go sleeps ReadBackoffMin (default 100ms) after an idle fetch
		// that missed its own deadline: a latency spike. Back off from 2ms.
		ReadBackoffMin: 2 * time.Millisecond, ReadBackoffMax: time.Second,
	})
	defer rd.Close()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		batch, err := s.fetchBatch(ctx, rd)
		if len(batch) == 0 {
			if err != nil && ctx.Err() == nil {
				// A broker outage or a rebalance: kafka-go's reader reconnects
				// and rejoins by itself; keep asking, with backoff.
				s.metrics.retries.Inc()
				s.log.Warn("fetching interactions failed; retrying", "topic", s.cfg.Topic, "backoff", backoff, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 5*time.Second)
			}
			continue
		}
		backoff = 100 * time.Millisecond
		// Finish the batch in hand even if ctx ends now.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
		err = s.retry(ctx, hctx, func() error {
			if err := s.handle(hctx, batch); err != nil {
				return err
			}
			return rd.CommitMessages(hctx, batch...)
		})
		cancel()
		if err != nil {
			last := batch[len(batch)-1]
			s.log.Warn("stopping with an uncommitted batch; it will be redelivered",
				"topic", last.Topic, "partition", last.Partition, "offset", last.Offset, "err", err)
			return nil
		}
	}
	return nil
}

// fetchBatch blocks for one record, then takes what arrives within BatchLinger.
func (s *Stage) fetchBatch(ctx context.Context, rd *kafka.Reader) ([]kafka.Message, error) {
	m, err := rd.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	batch := []kafka.Message{m}
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
