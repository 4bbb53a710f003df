package produce

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	"github.com/segmentio/kafka-go/sasl"
)

// Config configures a Producer.
type Config struct {
	// Brokers are the bootstrap brokers. Required.
	Brokers []string
	// TLS encrypts connections when set.
	TLS *tls.Config
	// SASL authenticates when set (PLAIN, SCRAM).
	SASL sasl.Mechanism
	// MaxBatchBytes bounds the records of one partition in one request: the
	// broker's max.message.bytes. Default: 1 MiB, Kafka's default.
	MaxBatchBytes int
	// Attempts bounds the tries of a partition whose leader refuses its
	// records with a retriable error (a leader moved, not enough replicas)
	// or cannot be reached. Default: 5.
	Attempts int
	// MetadataTTL is how long partition counts and leaders are trusted;
	// they are also refreshed after a failed attempt. Default: 30s.
	MetadataTTL time.Duration
	// Timeout is how long the broker may wait for the in-sync replicas.
	// Default: 10s.
	Timeout time.Duration
}

// Producer writes batches of records. It is safe for concurrent use.
type Producer struct {
	cfg    Config
	addr   net.Addr
	tr     *kafka.Transport
	client *kafka.Client
	hash   kafka.Murmur2Balancer

	mu     sync.Mutex
	topics map[string]topicMeta
}

// New returns a Producer; it connects on first use.
func New(cfg Config) (*Producer, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("produce: no brokers")
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = 1 << 20
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.MetadataTTL <= 0 {
		cfg.MetadataTTL = 30 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	tr := &kafka.Transport{TLS: cfg.TLS, SASL: cfg.SASL, DialTimeout: 10 * time.Second}
	addr := kafka.TCP(cfg.Brokers...)
	return &Producer{cfg: cfg, addr: addr, tr: tr, client: &kafka.Client{Addr: addr, Transport: tr},
		topics: map[string]topicMeta{}}, nil
}

// Close closes the idle connections.
func (p *Producer) Close() error {
	p.tr.CloseIdleConnections()
	return nil
}

// WriteMessages writes msgs, each to its own Topic, and returns once the
// in-sync replicas of every partition have them. A record's Time defaults to
// now. On an error some partitions may have been written: a caller retrying
// the whole batch can write those records twice (at-least-once).
func (p *Producer) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	parts, err := p.assign(ctx, msgs)
	if err != nil {
		return err
	}
	var errs []error
	for attempt := 0; len(parts) > 0; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return errors.Join(append(errs, err)...)
			}
			p.forget(parts)
		}
		var failed []*part
		failed, errs = p.send(ctx, parts, attempt > 0)
		if len(failed) > 0 && (attempt+1 >= p.cfg.Attempts || !allRetriable(errs)) {
			return fmt.Errorf("producing %d records: %w", countRecords(failed), errors.Join(errs...))
		}
		parts = failed
	}
	return nil
}

// part is the records of one partition in one call, in order.
type part struct {
	topic     string
	partition int
	leader    int
	msgs      []kafka.Message // with their Time set
	sizes     []int           // of each record: key, value and headers
}

// assign partitions msgs by key, with the partition counts and leaders of
// their topics.
func (p *Producer) assign(ctx context.Context, msgs []kafka.Message) ([]*part, error) {
	now := time.Now()
	byPart := map[topicPartition]*part{}
	metas := map[string]topicMeta{} // a call names few topics: look each up once
	var parts []*part
	for _, m := range msgs {
		if m.Topic == "" {
			return nil, errors.New("produce: a record names no topic")
		}
		meta, ok := metas[m.Topic]
		if !ok {
			var err error
			if meta, err = p.meta(ctx, m.Topic); err != nil {
				return nil, err
			}
			metas[m.Topic] = meta
		}
		id := p.hash.Balance(m, meta.ids...)
		key := topicPartition{m.Topic, id}
		pt, ok := byPart[key]
		if !ok {
			pt = &part{topic: m.Topic, partition: id, leader: meta.leaders[id]}
			byPart[key] = pt
			parts = append(parts, pt)
		}
		if m.Time.IsZero() {
			m.Time = now
		}
		pt.msgs = append(pt.msgs, m)
		pt.sizes = append(pt.sizes, len(m.Key)+len(m.Value)+headerBytes(m.Headers))
	}
	return parts, nil
}

// records encodes msgs for one request. The Bytes of a Record are readers,
// spent once the request is written: a retry needs new ones.
func records(msgs []kafka.Message) []protocol.Record {
	out := make([]protocol.Record, len(msgs))
	for k, m := range msgs {
		out[k] = protocol.Record{Time: m.Time, Key: protocol.NewBytes(m.Key), Value: protocol.NewBytes(m.Value), Headers: m.Headers}
	}
	return out
}

func headerBytes(hs []kafka.Header) int {
	n := 0
	for _, h := range hs {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

func countRecords(parts []*part) int {
	n := 0
	for _, pt := range parts {
		n += len(pt.msgs)
	}
	return n
}

// byLeader groups parts into requests, one per leader, or one per part when
// single (after a failure, when the leaders we know may be stale: a request
// to one broker for partitions it no longer leads would fail as a whole).
func byLeader(parts []*part, single bool) [][]*part {
	if single {
		out := make([][]*part, len(parts))
		for k, pt := range parts {
			out[k] = []*part{pt}
		}
		return out
	}
	index := map[int]int{}
	var out [][]*part
	for _, pt := range parts {
		k, ok := index[pt.leader]
		if !ok {
			k = len(out)
			index[pt.leader] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], pt)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][0].leader < out[j][0].leader })
	return out
}
