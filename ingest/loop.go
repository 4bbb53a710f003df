package ingest

import (
	"context"

	"github.com/segmentio/kafka-go"
)

// batchHandler makes the side effects of a batch durable, retrying
// transient failures itself; it returns an error only when ctx ends first.
type batchHandler func(ctx context.Context, msgs []kafka.Message) error

// batchSteps finish a prepared batch, in order: apply writes its Redis
// effects, emit produces its output. Either may be nil. Each retries
// transient failures itself and fails only when its context ends.
type batchSteps struct {
	apply, emit func(context.Context) error
}

// batchPreparer does the work of a batch that has no side effects (decoding)
// and returns the steps that finish it; it fails only when ctx ends first.
type batchPreparer func(ctx context.Context, msgs []kafka.Message) (batchSteps, error)

// whole turns a handler into a preparer whose batches are handled in one step.
func whole(handle batchHandler) batchPreparer {
	return func(_ context.Context, msgs []kafka.Message) (batchSteps, error) {
		return batchSteps{apply: func(ctx context.Context) error { return handle(ctx, msgs) }}, nil
	}
}

// stagedBatch is a fetched and prepared batch on its way to its commit.
type stagedBatch struct {
	msgs  []kafka.Message
	steps batchSteps
}

// consume is the loop of a reader, in three goroutines so that batches
// overlap: one fetches and prepares batch N+2 while another applies N+1 and
// this one emits and commits N. Every batch passes every step in order.
// Once ctx is cancelled nothing new is fetched or applied; the batch being
// applied is finished, and every applied batch is emitted and committed, all
// within ShutdownTimeout. A batch it cannot finish stays uncommitted, and
// so does every later one: redelivered to whoever consumes the partition next.
func (s *Stage) consume(ctx context.Context, r *kafka.Reader, prepare batchPreparer) {
	hctx, done := inHand(ctx, s.cfg.ShutdownTimeout)
	defer done()
	prepared, applied := make(chan stagedBatch, 1), make(chan stagedBatch, 1)
	go s.fetchPrepared(ctx, r, prepare, prepared) // each closes its channel when done
	go s.applyAll(ctx, hctx, prepared, applied)
	failed := false
	for b := range applied {
		if !failed {
			failed = !s.emitAndCommit(hctx, r, b)
		}
	}
}

// fetchPrepared fetches and prepares batches into out until ctx ends,
// backing off while the broker fails, then closes out.
func (s *Stage) fetchPrepared(ctx context.Context, r *kafka.Reader, prepare batchPreparer, out chan<- stagedBatch) {
	defer close(out)
	delay := backoffMin
	for ctx.Err() == nil {
		msgs, err := s.fetch(ctx, r)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("fetching records", "topic", r.Config().Topic, "backoff", delay, "err", err)
				sleep(ctx, delay)
				delay = min(2*delay, backoffMax)
			}
			continue
		}
		delay = backoffMin
		steps, err := prepare(ctx, msgs)
		if err != nil {
			return // only when ctx ended
		}
		select {
		case out <- stagedBatch{msgs, steps}:
		case <-ctx.Done():
		}
	}
}

// applyAll applies the batches of in, in order, passing them to out, then
// closes out. After ctx's cancellation it starts no batch (hctx bounds the
// one in hand); after a failure it passes on nothing more, so that no later
// batch gets ahead of one that will be redelivered.
func (s *Stage) applyAll(ctx, hctx context.Context, in <-chan stagedBatch, out chan<- stagedBatch) {
	defer close(out)
	failed := false
	for b := range in {
		if failed || ctx.Err() != nil || b.steps.apply == nil {
			if !failed && ctx.Err() == nil {
				out <- b
			}
			continue
		}
		if err := b.steps.apply(hctx); err != nil {
			failed = true
			s.leftUncommitted(b, err)
			continue
		}
		out <- b
	}
}

// emitAndCommit emits a batch and commits it; false when it could not.
func (s *Stage) emitAndCommit(hctx context.Context, r *kafka.Reader, b stagedBatch) bool {
	var err error
	if b.steps.emit != nil {
		err = b.steps.emit(hctx)
	}
	if err == nil {
		err = s.retry(hctx, "committing offsets", func(ctx context.Context) error {
			return r.CommitMessages(ctx, b.msgs...)
		})
	}
	if err != nil {
		s.leftUncommitted(b, err)
		return false
	}
	return true
}

func (s *Stage) leftUncommitted(b stagedBatch, err error) {
	first := b.msgs[0]
	s.log.Warn("batch left uncommitted for redelivery", "topic", first.Topic, "partition", first.Partition,
		"offset", first.Offset, "records", len(b.msgs), "err", err)
}
