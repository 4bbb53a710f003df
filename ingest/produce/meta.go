package produce

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/segmentio/kafka-go"
)

// topicMeta is what partitioning needs of a topic.
type topicMeta struct {
	ids     []int       // partition ids, ascending
	leaders map[int]int // partition id → leader broker id
	at      time.Time
}

// meta returns the metadata of topic, fetching it when unknown or older
// than MetadataTTL.
func (p *Producer) meta(ctx context.Context, topic string) (topicMeta, error) {
	p.mu.Lock()
	m, ok := p.topics[topic]
	p.mu.Unlock()
	if ok && time.Since(m.at) < p.cfg.MetadataTTL {
		return m, nil
	}
	res, err := p.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return m, fmt.Errorf("reading metadata of %s: %w", topic, err)
	}
	for _, t := range res.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return m, fmt.Errorf("reading metadata of %s: %w", topic, t.Error)
		}
		m = topicMeta{leaders: map[int]int{}, at: time.Now()}
		for _, pt := range t.Partitions {
			m.ids = append(m.ids, pt.ID)
			m.leaders[pt.ID] = pt.Leader.ID
		}
		if len(m.ids) == 0 {
			break
		}
		sort.Ints(m.ids)
		p.mu.Lock()
		p.topics[topic] = m
		p.mu.Unlock()
		return m, nil
	}
	return m, fmt.Errorf("reading metadata of %s: %w", topic, kafka.UnknownTopicOrPartition)
}

// forget drops the metadata of the topics of parts, so that the next call
// fetches it afresh.
func (p *Producer) forget(parts []*part) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pt := range parts {
		delete(p.topics, pt.topic)
	}
}
