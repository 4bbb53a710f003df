package trainer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/schemas"
)

// Log is a replayed window of the interaction log.
type Log struct {
	Interactions []schemas.Interaction
	Ranges       []schemas.PartitionRange
	Skipped      int // records that did not decode
	Duplicates   int // event ids seen before in the window (at-least-once replays)
}

// replay reads every partition of topic from the first record at or after
// since (by record timestamp) up to the high-water mark taken at the start,
// so a run trains on a fixed, reproducible set of offsets.
func replay(ctx context.Context, cfg Config, since time.Time, codecs *schemas.Codecs, log *slog.Logger) (*Log, error) {
	client := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Timeout: 10 * time.Second, Transport: cfg.transport()}
	ranges, err := windowRanges(ctx, client, cfg.Topic, since)
	if err != nil {
		return nil, err
	}
	out := &Log{Ranges: ranges}
	seen := map[string]bool{}
	for _, r := range ranges {
		if r.End <= r.Start {
			continue
		}
		if err := readRange(ctx, cfg, r, func(m kafka.Message) {
			in, err := codecs.DecodeInteraction(m.Value)
			if err != nil {
				out.Skipped++
				log.Warn("skipping undecodable interaction", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "err", err)
				return
			}
			if seen[in.EventID] {
				out.Duplicates++
				return
			}
			seen[in.EventID] = true
			out.Interactions = append(out.Interactions, in)
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func windowRanges(ctx context.Context, client *kafka.Client, topic string, since time.Time) ([]schemas.PartitionRange, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("reading metadata of %s: %w", topic, err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return nil, fmt.Errorf("reading metadata of %s: topic missing", topic)
	}
	var reqs, ends []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		reqs = append(reqs, kafka.TimeOffsetOf(p.ID, since))
		ends = append(ends, kafka.LastOffsetOf(p.ID))
	}
	starts, err := listOffsets(ctx, client, topic, reqs)
	if err != nil {
		return nil, err
	}
	last, err := listOffsets(ctx, client, topic, ends)
	if err != nil {
		return nil, err
	}
	ranges := make([]schemas.PartitionRange, 0, len(reqs))
	for _, p := range meta.Topics[0].Partitions {
		start, end := starts[p.ID], last[p.ID]
		if start < 0 || start > end { // no record at or after since
			start = end
		}
		ranges = append(ranges, schemas.PartitionRange{Topic: topic, Partition: p.ID, Start: start, End: end})
	}
	return ranges, nil
}

func listOffsets(ctx context.Context, client *kafka.Client, topic string, reqs []kafka.OffsetRequest) (map[int]int64, error) {
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("listing offsets of %s: %w", topic, err)
	}
	out := map[int]int64{}
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("listing offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		switch {
		case len(po.Offsets) > 0:
			for off := range po.Offsets {
				out[po.Partition] = off
			}
		default:
			out[po.Partition] = po.LastOffset
			if po.LastOffset < 0 {
				out[po.Partition] = po.FirstOffset
			}
		}
	}
	return out, nil
}

// readRange reads [r.Start, r.End) of one partition.
func readRange(ctx context.Context, cfg Config, r schemas.PartitionRange, fn func(kafka.Message)) error {
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: cfg.Brokers, Topic: r.Topic, Partition: r.Partition, Dialer: cfg.dialer(),
		MinBytes: 1, MaxBytes: 8 << 20, MaxWait: 250 * time.Millisecond,
	})
	defer rd.Close()
	if err := rd.SetOffset(r.Start); err != nil {
		return fmt.Errorf("seeking %s/%d to %d: %w", r.Topic, r.Partition, r.Start, err)
	}
	for {
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		m, err := rd.FetchMessage(fctx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				return fmt.Errorf("replaying %s/%d: no record at offset ≥ %d within 30s", r.Topic, r.Partition, r.Start)
			}
			return fmt.Errorf("replaying %s/%d: %w", r.Topic, r.Partition, err)
		}
		if m.Offset >= r.End {
			return nil
		}
		fn(m)
		if m.Offset >= r.End-1 {
			return nil
		}
	}
}
