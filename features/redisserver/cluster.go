package redisserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// slots is the number of hash slots of a Redis Cluster.
const slots = 16384

// ClusterForTest starts a Redis Cluster of n masters (no replicas) for t,
// with the hash slots split evenly, and returns its nodes' addresses once
// every node reports the cluster ok. It stops the servers when t ends.
func ClusterForTest(t testing.TB, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addrs := make([]string, n)
	for k := range addrs {
		s, err := Start(ctx, Options{Args: []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		addrs[k] = s.Addr()
	}
	if err := formCluster(ctx, addrs); err != nil {
		t.Fatal(err)
	}
	return addrs
}

// formCluster gives each node its share of the slots, introduces every node
// to the first and waits until all of them report cluster_state:ok.
func formCluster(ctx context.Context, addrs []string) error {
	host, port, _ := strings.Cut(addrs[0], ":")
	for k, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		first, last := k*slots/len(addrs), (k+1)*slots/len(addrs)-1
		err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", first, last).Err()
		if err == nil && k > 0 {
			err = c.ClusterMeet(ctx, host, port).Err()
		}
		c.Close()
		if err != nil {
			return fmt.Errorf("forming the cluster at %s: %w", addr, err)
		}
	}
	for _, addr := range addrs {
		if err := waitClusterOK(ctx, addr, len(addrs)); err != nil {
			return err
		}
	}
	return nil
}

func waitClusterOK(ctx context.Context, addr string, nodes int) error {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	for {
		info, err := c.ClusterInfo(ctx).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(nodes)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis cluster at %s not ok: %q, %v", addr, info, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
