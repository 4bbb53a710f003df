package produce

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	produceapi "github.com/segmentio/kafka-go/protocol/produce"
)

type topicPartition struct {
	topic     string
	partition int
}

// send writes parts, one request per leader at a time and the leaders
// concurrently, and returns the parts left with records and why.
func (p *Producer) send(ctx context.Context, parts []*part, single bool) ([]*part, []error) {
	groups := byLeader(parts, single)
	errs := make([]error, len(groups))
	if len(groups) == 1 {
		errs[0] = p.sendGroup(ctx, groups[0])
	} else {
		var wg sync.WaitGroup
		for k, g := range groups {
			wg.Go(func() { errs[k] = p.sendGroup(ctx, g) })
		}
		wg.Wait()
	}
	var failed []*part
	for _, pt := range parts {
		if len(pt.msgs) > 0 {
			failed = append(failed, pt)
		}
	}
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return failed, out
}

// sendGroup writes the parts of one leader: one request, or more when a
// part's records exceed MaxBatchBytes. It stops at the first failure; the
// records not written stay in their parts.
func (p *Producer) sendGroup(ctx context.Context, g []*part) error {
	for {
		req, sent := p.request(g)
		if req == nil {
			return nil
		}
		msg, err := p.tr.RoundTrip(ctx, p.addr, req)
		if err != nil {
			return err
		}
		res, ok := msg.(*produceapi.Response)
		if !ok {
			return fmt.Errorf("produce: unexpected response %T", msg)
		}
		if err := settle(g, sent, res); err != nil {
			return err
		}
	}
}

// request builds the next request of a group: from each part, records in
// order up to MaxBatchBytes (at least one). sent counts them per part.
func (p *Producer) request(g []*part) (*produceapi.Request, []int) {
	sent := make([]int, len(g))
	topics := map[string]int{}
	req := &produceapi.Request{Acks: int16(kafka.RequireAll), Timeout: int32(p.cfg.Timeout.Milliseconds())}
	for k, pt := range g {
		if len(pt.msgs) == 0 {
			continue
		}
		n, size := 0, 0
		for n < len(pt.msgs) && (n == 0 || size+pt.sizes[n] <= p.cfg.MaxBatchBytes) {
			size += pt.sizes[n]
			n++
		}
		sent[k] = n
		t, ok := topics[pt.topic]
		if !ok {
			t = len(req.Topics)
			topics[pt.topic] = t
			req.Topics = append(req.Topics, produceapi.RequestTopic{Topic: pt.topic})
		}
		req.Topics[t].Partitions = append(req.Topics[t].Partitions, produceapi.RequestPartition{
			Partition: int32(pt.partition),
			RecordSet: protocol.RecordSet{Version: 2, Records: protocol.NewRecordReader(records(pt.msgs[:n])...)},
		})
	}
	if len(req.Topics) == 0 {
		return nil, nil
	}
	return req, sent
}

// settle drops the records the broker took from their parts and reports the
// partitions it refused.
func settle(g []*part, sent []int, res *produceapi.Response) error {
	refused := map[topicPartition]error{}
	for _, t := range res.Topics {
		for _, rp := range t.Partitions {
			if rp.ErrorCode != 0 {
				refused[topicPartition{t.Topic, int(rp.Partition)}] = fmt.Errorf("%s/%d: %w", t.Topic, rp.Partition, kafka.Error(rp.ErrorCode))
			}
		}
	}
	var errs []error
	for k, pt := range g {
		if err, ok := refused[topicPartition{pt.topic, pt.partition}]; ok {
			errs = append(errs, err)
			continue
		}
		pt.msgs, pt.sizes = pt.msgs[sent[k]:], pt.sizes[sent[k]:]
	}
	return errors.Join(errs...)
}

// allRetriable reports whether another attempt may succeed: no error is the
// context's, and every Kafka error code among them is a temporary one.
// Connection failures and stale routing are retriable.
func allRetriable(errs []error) bool {
	for _, err := range errs {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		var ke kafka.Error
		if errors.As(err, &ke) && !ke.Temporary() {
			return false
		}
	}
	return true
}

func backoff(attempt int) time.Duration {
	return min(20*time.Millisecond<<(attempt-1), time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
