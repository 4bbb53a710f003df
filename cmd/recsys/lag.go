package main

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// lagCollector reports each consumer group's lag per partition at scrape
// time: the partition's high-water mark minus the group's committed offset
// (the whole partition when the group has committed nothing yet). It also
// reports how many of those records retention has already deleted: the
// group will skip them, so anything above 0 is data lost to that consumer.
type lagCollector struct {
	client     *kafka.Client
	groups     map[string]string // group → topic
	lag, short *prometheus.Desc
}

func newLagCollector(client *kafka.Client, groups map[string]string) *lagCollector {
	labels := []string{"group", "topic", "partition"}
	return &lagCollector{client: client, groups: groups,
		lag: prometheus.NewDesc("recsys_consumer_lag", "Records not yet committed by a consumer group, per partition.", labels, nil),
		short: prometheus.NewDesc("recsys_consumer_behind_retention",
			"Records not yet committed by a consumer group that retention has deleted (the group skips them), per partition.", labels, nil)}
}

func (l *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- l.lag; ch <- l.short }

// Collect asks the broker; a failed look-up yields no sample rather than a stale one.
func (l *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for group, topic := range l.groups {
		parts, err := l.partitions(ctx, group, topic)
		if err != nil {
			continue
		}
		for p, o := range parts {
			ch <- prometheus.MustNewConstMetric(l.lag, prometheus.GaugeValue, float64(o.lag()), group, topic, strconv.Itoa(p))
			ch <- prometheus.MustNewConstMetric(l.short, prometheus.GaugeValue, float64(o.deleted()), group, topic, strconv.Itoa(p))
		}
	}
}

// partOffsets are a partition's first and high-water offsets and a group's
// committed offset in it (-1: none).
type partOffsets struct{ first, high, committed int64 }

func (o partOffsets) lag() int64 {
	if o.committed < 0 {
		return o.high
	}
	return max(0, o.high-o.committed)
}

// deleted is what retention took before the group committed it; a group
// that has committed nothing starts at the first record kept.
func (o partOffsets) deleted() int64 {
	if o.committed < 0 {
		return 0
	}
	return max(0, o.first-o.committed)
}

func (l *lagCollector) partitions(ctx context.Context, group, topic string) (map[int]partOffsets, error) {
	meta, err := l.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil || len(meta.Topics) != 1 {
		return nil, err
	}
	var ids []int
	var firsts, ends []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		ids = append(ids, p.ID)
		firsts, ends = append(firsts, kafka.FirstOffsetOf(p.ID)), append(ends, kafka.LastOffsetOf(p.ID))
	}
	first, err := listOffsets(ctx, l.client, topic, firsts)
	if err != nil {
		return nil, err
	}
	high, err := listOffsets(ctx, l.client, topic, ends)
	if err != nil {
		return nil, err
	}
	res, err := l.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: ids}})
	if err != nil {
		return nil, err
	}
	parts := map[int]partOffsets{}
	for _, p := range ids {
		parts[p] = partOffsets{first: first[p], high: high[p], committed: -1}
	}
	for _, p := range res.Topics[topic] {
		o := parts[p.Partition]
		o.committed = p.CommittedOffset
		parts[p.Partition] = o
	}
	return parts, nil
}

// listOffsets returns the offsets asked for, by partition. Ask for first
// and last offsets in separate calls: a broker may refuse a request that
// names a partition twice.
func listOffsets(ctx context.Context, client *kafka.Client, topic string, reqs []kafka.OffsetRequest) (map[int]int64, error) {
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			return nil, po.Error
		}
		out[po.Partition] = po.LastOffset
		if po.LastOffset < 0 { // a FirstOffsetOf request: kafka-go answers in FirstOffset, LastOffset stays -1
			out[po.Partition] = po.FirstOffset
		}
	}
	return out, nil
}

// lagGroups maps the consumer groups of the stages run here to their topics.
func (c *config) lagGroups(stages []string) map[string]string {
	groups := map[string]string{}
	for _, s := range stages {
		switch s {
		case "ingest":
			groups[c.Ingest.GroupID] = c.Topics.Events
		case "scorer":
			groups[c.Scorer.GroupID] = c.Topics.Interactions
		}
	}
	return groups
}
