package main

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

func TestLagIsWhatTheGroupHasNotCommitted(t *testing.T) {
	broker := testBroker(t)
	addrs := broker.ListenAddrs()
	ctx := context.Background()
	if err := ensureTopics(ctx, nil, addrs, []kafka.TopicConfig{{Topic: "t", NumPartitions: 1, ReplicationFactor: 1}}); err != nil {
		t.Fatal(err)
	}
	w := newWriter(addrs, "t")
	defer w.Close()
	for k := 0; k < 10; k++ {
		if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, GroupID: "g", Topic: "t", StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	for k := 0; k < 4; k++ {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := rd.CommitMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	got := gatherLag(t, addrs, map[string]string{"g": "t", "nobody": "t"}, "recsys_consumer_lag")
	if got["g"] != 6 || got["nobody"] != 10 || len(got) != 2 {
		t.Fatalf("lag = %v; want g 6 (10 written, 4 committed) and nobody 10", got)
	}
	if got := gatherLag(t, addrs, map[string]string{"g": "t"}, "recsys_consumer_behind_retention"); got["g"] != 0 {
		t.Fatalf("behind retention = %v; want 0 with every record kept", got)
	}
}

// gatherLag scrapes a lag collector for groups and returns the metric name's
// value per group (one partition each).
func gatherLag(t *testing.T, addrs []string, groups map[string]string, name string) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(newLagCollector(&kafka.Client{Addr: kafka.TCP(addrs...)}, groups))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == name {
				got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue() // labels sort by name: group first
			}
		}
	}
	return got
}

// A group whose committed offset retention has passed is reported with the
// records it will never read.
func TestLagCountsWhatRetentionDeletedBeforeTheGroupReadIt(t *testing.T) {
	const retention, records, size = 1 << 20, 100, 64 << 10
	addrs := testBrokerKeeping(t, retention).ListenAddrs()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	withTopicT(ctx, t, addrs)
	produceBlobs(ctx, t, addrs, 10, size)
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, GroupID: "g", Topic: "t", StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer rd.Close()
	m, err := rd.FetchMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.CommitMessages(ctx, m); err != nil { // committed offset 1
		t.Fatal(err)
	}
	produceBlobs(ctx, t, addrs, records, size)
	var behind map[string]float64
	waitUntil(t, 10*retentionTick, "retention to pass the group", func() bool {
		behind = gatherLag(t, addrs, map[string]string{"g": "t"}, "recsys_consumer_behind_retention")
		return behind["g"] > 0
	})
	lag := gatherLag(t, addrs, map[string]string{"g": "t"}, "recsys_consumer_lag")
	if kept := lag["g"] - behind["g"]; lag["g"] != 10+records-1 || kept < 1 || kept*size > retention {
		t.Fatalf("behind retention %v of lag %v; want %d records after the commit, all but the last MiB of them deleted", behind["g"], lag["g"], 10+records-1)
	}
}
