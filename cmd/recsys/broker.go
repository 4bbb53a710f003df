package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// memSegmentBytes is the segment size of the embedded broker when it keeps
// everything in memory. kfake then writes each partition's log into a byte
// slice that doubles as it grows, up to a segment (100 MiB by default), in
// the one goroutine that serves every request: a 64 MiB copy stalled the
// whole pipeline for tens of milliseconds every few seconds at 10,000
// events/s. Small segments keep each copy to about a millisecond.
const memSegmentBytes = 4 << 20

// memRetentionBytes bounds each partition of the in-memory broker: every
// second the oldest batches beyond it are dropped, as a Kafka broker with
// retention.bytes would. Without a bound the broker kept every record of a
// run (about 1.2 GB a minute at 10,000 events/s), and growing its heap that
// fast cost it more CPU in page faults than serving the records did.
const memRetentionBytes = 16 << 20

// memBrokerGCPercent is the GC target of `recsys broker` in memory: its heap
// is mostly records, byte slices the collector need not scan, so collecting
// more often costs little and keeps the heap, and the page faults of growing
// it, smaller. kfake also grows each segment's slice by doubling, so the
// heap holds about twice the records it keeps. With this and 16 MiB per
// partition, ingest alone sustained 57,000–61,000 events/s over 60 s against
// 43,000–49,000 with GOGC 100 and 32 MiB (broker RSS 0.5 GB against 1.2 GB).
const memBrokerGCPercent = 50

// retentionTick is how often the embedded broker applies its retention.
const retentionTick = time.Second

// embeddedBroker is a kfake cluster and, when it bounds its partitions, the
// goroutine that applies the bound.
type embeddedBroker struct {
	*kfake.Cluster
	stop, done chan struct{}
}

// startBroker starts the embedded Kafka-protocol broker (kfake) on loopback.
// port 0 picks a free port; dataDir "" keeps everything in memory.
// retention > 0 keeps at most that many bytes per partition.
func startBroker(port int, dataDir string, retention int64) (*embeddedBroker, error) {
	cfgs := map[string]string{}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.AllowAutoTopicCreation()}
	if dataDir != "" {
		opts = append(opts, kfake.DataDir(dataDir))
	} else {
		cfgs["log.segment.bytes"] = strconv.Itoa(memSegmentBytes)
	}
	if retention > 0 {
		cfgs["log.retention.bytes"] = strconv.FormatInt(retention, 10)
	}
	c, err := kfake.NewCluster(append(opts, kfake.BrokerConfigs(cfgs))...)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	b := &embeddedBroker{Cluster: c}
	if retention > 0 {
		b.stop, b.done = make(chan struct{}), make(chan struct{})
		go b.applyRetention()
	}
	return b, nil
}

// applyRetention drops what is beyond the retention every retentionTick
// until Close.
func (b *embeddedBroker) applyRetention() {
	defer close(b.done)
	t := time.NewTicker(retentionTick)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.ApplyRetention()
		}
	}
}

// Close stops applying the retention, then the broker.
func (b *embeddedBroker) Close() {
	if b.stop != nil {
		close(b.stop)
		<-b.done
	}
	b.Cluster.Close()
}

func runBroker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newFlagSet("broker", getenv, stderr)
	var port int
	var dataDir string
	retention := -1
	f.int(&port, "port", 9092, "port to listen on (127.0.0.1)")
	f.str(&dataDir, "data-dir", ".data/broker", "persist topics and offsets here; empty keeps them in memory")
	f.int(&retention, "retention-bytes", -1, "keep at most this many bytes per partition, dropping the oldest records each second "+
		"(0: keep all; default: 16 MiB in memory, all with a data dir)")
	if err := f.parse(args); err != nil {
		return err
	}
	if retention < -1 {
		return fmt.Errorf("broker: --retention-bytes %d: want 0 or more", retention)
	}
	if dataDir == "" {
		tuneGC(getenv, memBrokerGCPercent)
	}
	keep := brokerRetention(retention, dataDir)
	c, err := startBroker(port, dataDir, keep)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(stdout, "embedded Kafka-protocol broker listening on %v (data dir %q, %s); Ctrl-C stops it\n",
		c.ListenAddrs(), dataDir, retentionText(keep))
	<-ctx.Done()
	return nil
}

// brokerRetention is the --retention-bytes of `recsys broker`: -1 picks the
// default, a bound in memory and none on disk.
func brokerRetention(flag int, dataDir string) int64 {
	switch {
	case flag >= 0:
		return int64(flag)
	case dataDir == "":
		return memRetentionBytes
	}
	return 0
}

func retentionText(retention int64) string {
	if retention <= 0 {
		return "keeping every record"
	}
	if retention%(1<<20) != 0 {
		return fmt.Sprintf("keeping the last %d bytes of each partition", retention)
	}
	return fmt.Sprintf("keeping the last %d MiB of each partition", retention>>20)
}
