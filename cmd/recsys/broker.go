package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// memSegmentBytes is the segment size of the embedded broker when it keeps
// everything in memory. kfake then writes each partition's log into a byte
// slice that doubles as it grows, up to a segment (100 MiB by default), in
// the one goroutine that serves every request: a 64 MiB copy stalled the
// whole pipeline for tens of milliseconds every few seconds at 10,000
// events/s. Small segments keep each copy to about a millisecond.
const memSegmentBytes = 4 << 20

// startBroker starts the embedded Kafka-protocol broker (kfake) on loopback.
// port 0 picks a free port; dataDir "" keeps everything in memory.
func startBroker(port int, dataDir string) (*kfake.Cluster, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.AllowAutoTopicCreation()}
	if dataDir != "" {
		opts = append(opts, kfake.DataDir(dataDir))
	} else {
		opts = append(opts, kfake.BrokerConfigs(map[string]string{"log.segment.bytes": strconv.Itoa(memSegmentBytes)}))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	return c, nil
}

func runBroker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newFlagSet("broker", getenv, stderr)
	var port int
	var dataDir string
	f.int(&port, "port", 9092, "port to listen on (127.0.0.1)")
	f.str(&dataDir, "data-dir", ".data/broker", "persist topics and offsets here; empty keeps them in memory")
	if err := f.parse(args); err != nil {
		return err
	}
	c, err := startBroker(port, dataDir)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(stdout, "embedded Kafka-protocol broker listening on %v (data dir %q); Ctrl-C stops it\n", c.ListenAddrs(), dataDir)
	<-ctx.Done()
	return nil
}
