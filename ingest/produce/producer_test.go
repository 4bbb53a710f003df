package produce_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/recsys/recsys/ingest/produce"
)

func cluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "a", "b"), kfake.SeedTopics(3, "compat"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func producer(t *testing.T, c *kfake.Cluster, cfg produce.Config) *produce.Producer {
	t.Helper()
	cfg.Brokers = c.ListenAddrs()
	p, err := produce.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// readAll reads every record of topic, partition by partition.
func readAll(t *testing.T, c *kfake.Cluster, topic string, partitions int) []kafka.Message {
	t.Helper()
	var out []kafka.Message
	for id := range partitions {
		conn, err := kafka.DialLeader(context.Background(), "tcp", c.ListenAddrs()[0], topic, id)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		rd := kafka.NewReader(kafka.ReaderConfig{Brokers: c.ListenAddrs(), Topic: topic, Partition: id, MaxWait: 100 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for off := int64(0); off < last; off++ {
			m, err := rd.FetchMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		cancel()
		rd.Close()
	}
	return out
}

func keyed(topic string, n int, round string) []kafka.Message {
	msgs := make([]kafka.Message, n)
	for k := range msgs {
		msgs[k] = kafka.Message{Topic: topic, Key: []byte(fmt.Sprintf("user-%d", k%17)), Value: []byte(fmt.Sprintf("%s-%d", round, k)),
			Headers: []kafka.Header{{Key: "h", Value: []byte(round)}}}
	}
	return msgs
}

func TestABatchOverTopicsAndPartitionsArrivesOnceInKeyOrder(t *testing.T) {
	c := cluster(t)
	p := producer(t, c, produce.Config{})
	ctx := context.Background()
	at := time.UnixMilli(1_700_000_000_123)
	for _, round := range []string{"r1", "r2"} {
		msgs := append(keyed("a", 200, round), keyed("b", 50, round)...)
		msgs = append(msgs, kafka.Message{Topic: "b", Key: []byte("gone"), Time: at}) // a tombstone, with its own time
		if err := p.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	got := readAll(t, c, "a", 4)
	if len(got) != 400 {
		t.Fatalf("topic a has %d records; want 400", len(got))
	}
	byKey := map[string][]string{}
	partOf := map[string]int{}
	for _, m := range got {
		k := string(m.Key)
		if p, ok := partOf[k]; ok && p != m.Partition {
			t.Errorf("key %s on partitions %d and %d", k, p, m.Partition)
		}
		partOf[k] = m.Partition
		byKey[k] = append(byKey[k], string(m.Value))
		if len(m.Headers) != 1 || string(m.Headers[0].Value) != strings.Split(string(m.Value), "-")[0] {
			t.Errorf("record %s has headers %v", m.Value, m.Headers)
		}
	}
	for k, vals := range byKey {
		var want []string
		for _, round := range []string{"r1", "r2"} {
			for _, m := range keyed("a", 200, round) {
				if string(m.Key) == k {
					want = append(want, string(m.Value))
				}
			}
		}
		if !slices.Equal(vals, want) {
			t.Errorf("key %s: %v; want %v", k, vals, want)
		}
	}
	var tombstones int
	for _, m := range readAll(t, c, "b", 4) {
		if string(m.Key) == "gone" {
			tombstones++
			if m.Value != nil || !m.Time.Equal(at) {
				t.Errorf("tombstone arrived as value %q at %v; want nil at %v", m.Value, m.Time, at)
			}
		}
	}
	if tombstones != 2 {
		t.Errorf("%d tombstones; want 2", tombstones)
	}
}

// The partitioning must match kafka-go's Writer with Murmur2Balancer (and the
// Java client), so that a user's records stay on the partition they were on.
func TestKeysLandWhereKafkaGosMurmur2WriterPutsThem(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	w := &kafka.Writer{Addr: kafka.TCP(c.ListenAddrs()...), Balancer: &kafka.Murmur2Balancer{}, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	var theirs, ours []kafka.Message
	for k := range 100 {
		key := []byte(fmt.Sprintf("shopper-%d", k))
		theirs = append(theirs, kafka.Message{Topic: "compat", Key: key, Value: []byte("writer")})
		ours = append(ours, kafka.Message{Topic: "compat", Key: key, Value: []byte("producer")})
	}
	if err := w.WriteMessages(ctx, theirs...); err != nil {
		t.Fatal(err)
	}
	if err := producer(t, c, produce.Config{}).WriteMessages(ctx, ours...); err != nil {
		t.Fatal(err)
	}
	where := map[string]map[string]int{}
	for _, m := range readAll(t, c, "compat", 3) {
		if where[string(m.Key)] == nil {
			where[string(m.Key)] = map[string]int{}
		}
		where[string(m.Key)][string(m.Value)] = m.Partition
	}
	spread := map[int]bool{}
	for k, at := range where {
		if at["writer"] != at["producer"] {
			t.Errorf("key %s: writer partition %d, producer %d", k, at["writer"], at["producer"])
		}
		spread[at["producer"]] = true
	}
	if len(where) != 100 || len(spread) != 3 {
		t.Errorf("%d keys over %d partitions; want 100 over 3", len(where), len(spread))
	}
}

func TestAPartitionOverMaxBatchBytesGoesOutInSeveralRequestsInOrder(t *testing.T) {
	c := cluster(t)
	var requests atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		requests.Add(1)
		c.KeepControl()
		return nil, nil, false
	})
	p := producer(t, c, produce.Config{MaxBatchBytes: 2000})
	msgs := make([]kafka.Message, 30)
	for k := range msgs {
		msgs[k] = kafka.Message{Topic: "a", Key: []byte("one-key"), Value: []byte(fmt.Sprintf("%03d-%s", k, strings.Repeat("x", 300)))}
	}
	if err := p.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, c, "a", 4)
	if len(got) != 30 {
		t.Fatalf("%d records; want 30", len(got))
	}
	for k, m := range got {
		if !strings.HasPrefix(string(m.Value), fmt.Sprintf("%03d-", k)) {
			t.Fatalf("record %d is %.4s…; want them in order", k, m.Value)
		}
	}
	if n := requests.Load(); n < 5 {
		t.Errorf("%d produce requests for ~9.5 kB under a 2 kB bound; want at least 5", n)
	}
}

// refuse answers the next n produce requests with code for every partition.
func refuse(c *kfake.Cluster, n int32, code int16) *atomic.Int32 {
	var seen atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(r kmsg.Request) (kmsg.Response, error, bool) {
		if seen.Add(1) > n {
			return nil, nil, false
		}
		c.KeepControl()
		req := r.(*kmsg.ProduceRequest)
		res := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			res.Topics = append(res.Topics, rt)
		}
		return res, nil, true
	})
	return &seen
}

func TestARetriableRefusalIsRetriedAndNothingIsLost(t *testing.T) {
	c := cluster(t)
	seen := refuse(c, 2, int16(kafka.NotLeaderForPartition))
	p := producer(t, c, produce.Config{})
	sent := keyed("a", 40, "r")
	if err := p.WriteMessages(context.Background(), sent...); err != nil {
		t.Fatalf("after two refusals: %v", err)
	}
	var want, got []string
	for _, m := range sent {
		want = append(want, string(m.Key)+"="+string(m.Value))
	}
	for _, m := range readAll(t, c, "a", 4) {
		got = append(got, string(m.Key)+"="+string(m.Value))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("after the retries the topic holds %v; want %v", got, want)
	}
	if seen.Load() < 3 {
		t.Errorf("%d produce requests; want the refused ones retried", seen.Load())
	}
}

func TestRefusalsThatCannotPassFailAtOnceOrAfterTheAttempts(t *testing.T) {
	tests := []struct {
		name     string
		code     kafka.Error
		attempts int32
	}{
		{"a record too large is not retried", kafka.MessageSizeTooLarge, 1},
		{"a lasting retriable refusal gives up after the attempts", kafka.NotEnoughReplicas, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(t)
			seen := refuse(c, 1000, int16(tc.code))
			p := producer(t, c, produce.Config{Attempts: 3})
			err := p.WriteMessages(context.Background(), keyed("a", 10, "r")...)
			if !errors.Is(err, tc.code) {
				t.Fatalf("error %v; want %v", err, tc.code)
			}
			if seen.Load() < tc.attempts || (tc.attempts == 1 && seen.Load() > 4) {
				t.Errorf("%d produce requests; want about %d per partition leader", seen.Load(), tc.attempts)
			}
		})
	}
}

func TestBadCallsFailWithAClearError(t *testing.T) {
	c := cluster(t)
	p := producer(t, c, produce.Config{})
	ctx := context.Background()
	if err := p.WriteMessages(ctx, kafka.Message{Key: []byte("k")}); err == nil || !strings.Contains(err.Error(), "no topic") {
		t.Errorf("a record without a topic: %v", err)
	}
	if err := p.WriteMessages(ctx, kafka.Message{Topic: "missing", Key: []byte("k")}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a topic that does not exist: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.WriteMessages(cancelled, keyed("a", 3, "r")...); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
	if _, err := produce.New(produce.Config{}); err == nil {
		t.Error("New without brokers succeeded")
	}
	if err := p.WriteMessages(ctx); err != nil {
		t.Errorf("an empty call: %v", err)
	}
}
