package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// testBroker starts the in-memory embedded broker for one test.
func testBroker(t *testing.T) *embeddedBroker {
	t.Helper()
	return testBrokerKeeping(t, memRetentionBytes)
}

// testBrokerKeeping starts the in-memory broker keeping retention bytes per
// partition (0: everything) for one test.
func testBrokerKeeping(t *testing.T, retention int64) *embeddedBroker {
	t.Helper()
	broker, err := startBroker(0, "", retention)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	return broker
}

// withTopicT creates topic "t" of one partition on the broker at addrs.
func withTopicT(ctx context.Context, t *testing.T, addrs []string) {
	t.Helper()
	if err := ensureTopics(ctx, nil, addrs, []kafka.TopicConfig{{Topic: "t", NumPartitions: 1, ReplicationFactor: 1}}); err != nil {
		t.Fatal(err)
	}
}

// The in-memory broker rolls its log in small segments (see memSegmentBytes)
// and loses nothing across them.
func TestTheInMemoryBrokerRollsSmallSegmentsAndKeepsEveryRecord(t *testing.T) {
	addrs := testBrokerKeeping(t, 0).ListenAddrs() // everything: 19 MiB is more than the default keeps
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

	withTopicT(ctx, t, addrs)
	const records, size = 300, 64 << 10 // 19 MiB: five segments
	produceBlobs(ctx, t, addrs, records, size)
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

// produceBlobs writes records of size bytes to topic t, ten to a batch,
// keyed by their number and filled with it.
func produceBlobs(ctx context.Context, t *testing.T, addrs []string, records, size int) {
	t.Helper()
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
}

// With a retention, the broker drops a partition's oldest batches beyond it
// within about a second, and keeps the newest.
func TestTheEmbeddedBrokerDropsWhatIsBeyondItsRetention(t *testing.T) {
	const retention, records, size = 1 << 20, 100, 64 << 10 // 6.4 MiB through a 1 MiB bound
	addrs := testBrokerKeeping(t, retention).ListenAddrs()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	withTopicT(ctx, t, addrs)
	produceBlobs(ctx, t, addrs, records, size)
	conn, err := kafka.DialLeader(ctx, "tcp", addrs[0], "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var first, last int64
	waitUntil(t, 10*retentionTick, "the retention to drop the oldest batches", func() bool {
		first, last, err = conn.ReadOffsets()
		return err == nil && first > 0
	})
	if last != records {
		t.Fatalf("log end offset %d, want %d", last, records)
	}
	if kept := (last - first) * size; kept > retention || kept < retention-10*size {
		t.Fatalf("kept offsets %d..%d (%d bytes); want the newest batches within %d bytes", first, last, kept, retention)
	}
}

func TestTheBrokerBoundsItsPartitionsInMemoryAndNotOnDisk(t *testing.T) {
	for _, c := range []struct {
		flag    int
		dataDir string
		want    int64
	}{{-1, "", memRetentionBytes}, {-1, ".data/broker", 0}, {0, "", 0}, {5 << 20, ".data/broker", 5 << 20}} {
		if got := brokerRetention(c.flag, c.dataDir); got != c.want {
			t.Errorf("--retention-bytes %d, data dir %q: %d bytes per partition, want %d", c.flag, c.dataDir, got, c.want)
		}
	}
}

// In memory the broker process collects garbage more often than the stages
// (memBrokerGCPercent), unless GOGC says otherwise; on disk it leaves the
// target alone.
func TestTheInMemoryBrokerProcessTunesItsGCTarget(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve nothing: start, set up and stop
	for _, c := range []struct {
		dataDir, gogc string
		want          int
	}{{"", "", memBrokerGCPercent}, {"", "100", 100}, {t.TempDir(), "", 100}} {
		debug.SetGCPercent(100)
		getenv := func(k string) string { return map[string]string{"GOGC": c.gogc}[k] }
		if err := runBroker(ctx, []string{"--port", "0", "--data-dir", c.dataDir}, getenv, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("data dir %q, GOGC %q: GC target %d, want %d", c.dataDir, c.gogc, got, c.want)
		}
	}
	err := runBroker(ctx, []string{"--port", "0", "--data-dir", "", "--retention-bytes", "-2"}, os.Getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--retention-bytes -2") {
		t.Errorf("a negative retention: %v; want an error naming it", err)
	}
}
