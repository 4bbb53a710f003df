package redisserver_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features/redisserver"
)

// The embedded redis-server of the demo and bench keeps small hashes and
// sorted sets as listpacks only up to 32 entries (EmbeddedArgs).
func TestTheEmbeddedRedisServerIsTunedForIngest(t *testing.T) {
	ctx := context.Background()
	e, err := redisserver.StartEmbedded(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !e.Real {
		t.Fatalf("embedded Redis is %s; the suite needs redis-server", e.Kind)
	}
	rdb := redis.NewClient(&redis.Options{Addr: e.Addr})
	defer rdb.Close()
	for _, name := range []string{"hash-max-listpack-entries", "zset-max-listpack-entries"} {
		got, err := rdb.ConfigGet(ctx, name).Result()
		if err != nil || got[name] != "32" {
			t.Errorf("%s = %v (%v); want 32", name, got, err)
		}
	}
}
