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
// (the whole partition when the group has committed nothing yet).
type lagCollector struct {
	client *kafka.Client
	groups map[string]string // group → topic
	desc   *prometheus.Desc
}

func newLagCollector(client *kafka.Client, groups map[string]string) *lagCollector {
	return &lagCollector{client: client, groups: groups, desc: prometheus.NewDesc(
		"recsys_consumer_lag", "Records not yet committed by a consumer group, per partition.",
		[]string{"group", "topic", "partition"}, nil)}
}

func (l *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }

// Collect asks the broker; a failed look-up yields no sample rather than a stale one.
func (l *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for group, topic := range l.groups {
		lags, err := l.lag(ctx, group, topic)
		if err != nil {
			continue
		}
		for p, lag := range lags {
			ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, float64(lag), group, topic, strconv.Itoa(p))
		}
	}
}

func (l *lagCollector) lag(ctx context.Context, group, topic string) (map[int]int64, error) {
	meta, err := l.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil || len(meta.Topics) != 1 {
		return nil, err
	}
	var parts []int
	var ends []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		parts = append(parts, p.ID)
		ends = append(ends, kafka.LastOffsetOf(p.ID))
	}
	high, err := listOffsets(ctx, l.client, topic, ends)
	if err != nil {
		return nil, err
	}
	res, err := l.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return nil, err
	}
	lags := map[int]int64{}
	for _, p := range parts {
		lags[p] = high[p]
	}
	for _, p := range res.Topics[topic] {
		if p.CommittedOffset >= 0 {
			lags[p.Partition] = max(0, high[p.Partition]-p.CommittedOffset)
		}
	}
	return lags, nil
}

// listOffsets returns the offsets asked for, by partition.
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
