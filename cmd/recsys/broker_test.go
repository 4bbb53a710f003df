package main

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// testBroker starts the in-memory embedded broker for one test.
func testBroker(t *testing.T) *kfake.Cluster {
	t.Helper()
	broker, err := startBroker(0, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	return broker
}

// The in-memory broker rolls its log in small segments (see memSegmentBytes)
// and loses nothing across them.
func TestTheInMemoryBrokerRollsSmallSegmentsAndKeepsEveryRecord(t *testing.T) {
	broker := testBroker(t)
	addrs := broker.ListenAddrs()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	res, err := client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{
		{ResourceType: kafka.ResourceTypeBroker, ResourceName: "0", ConfigNames: []string{"log.segment.bytes"}},
	}})
	if err != nil || len(res.Resources) != 1 || len(res.Resources[0].ConfigEntries) != 1 {
		t.Fatalf("describing the broker's segment size: %+v, %v", res, err)
	}
	if v := res.Resources[0].ConfigEntries[0].ConfigValue; v != strconv.Itoa(memSegmentBytes) {
		t.Fatalf("log.segment.bytes = %s, want %d", v, memSegmentBytes)
	}

	if err := ensureTopics(ctx, nil, addrs, []kafka.TopicConfig{{Topic: "t", NumPartitions: 1, ReplicationFactor: 1}}); err != nil {
		t.Fatal(err)
	}
	const records, size = 300, 64 << 10 // 19 MiB: five segments
	w := newWriter(addrs, "t")
	defer w.Close()
	for k := 0; k < records; k += 10 {
		var msgs []kafka.Message
		for j := k; j < k+10; j++ {
			msgs = append(msgs, kafka.Message{Key: []byte(strconv.Itoa(j)), Value: bytes.Repeat([]byte{byte(j)}, size)})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: "t", MaxWait: 100 * time.Millisecond, MaxBytes: 1 << 20})
	defer rd.Close()
	for k := 0; k < records; k++ {
		m, err := rd.FetchMessage(ctx) // no group: nothing to commit
		if err != nil {
			t.Fatalf("record %d: %v", k, err)
		}
		if string(m.Key) != strconv.Itoa(k) || len(m.Value) != size || m.Value[size-1] != byte(k) {
			t.Fatalf("record %d came back as key %s, %d bytes", k, m.Key, len(m.Value))
		}
	}
}
