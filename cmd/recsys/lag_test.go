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
	c := newLagCollector(&kafka.Client{Addr: kafka.TCP(addrs...)}, map[string]string{"g": "t", "nobody": "t"})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue() // labels sort by name: group first
		}
	}
	if got["g"] != 6 || got["nobody"] != 10 || len(got) != 2 {
		t.Fatalf("lag = %v; want g 6 (10 written, 4 committed) and nobody 10", got)
	}
}
