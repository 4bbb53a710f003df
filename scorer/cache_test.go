package scorer

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/schemas"
)

// hmgets counts the HMGET calls Redis has served.
func hmgets(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if rest, ok := strings.CutPrefix(line, "cmdstat_hmget:calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

func TestTheCacheRereadsProductsOnlyAfterTheCatalogChanged(t *testing.T) {
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	store := features.New(rdb, features.Config{})
	ctx := context.Background()
	gid := schemas.ProductGID(7)
	put := func(category string) {
		t.Helper()
		if err := store.PutProducts(ctx, []schemas.Product{{GID: gid, Category: category, Available: true}}); err != nil {
			t.Fatal(err)
		}
	}
	put("mugs")
	c := newCache(time.Hour)
	if err := newLookup(store, c).fetch(ctx, []string{gid}); err != nil {
		t.Fatal(err)
	}
	category := func() string {
		into := map[string]productInfo{}
		if missing := c.lookupProducts(time.Now(), []string{gid}, into); len(missing) > 0 {
			t.Fatalf("%v not cached", missing)
		}
		return into[gid].category
	}

	before := hmgets(t, rdb)
	if err := c.refresh(ctx, store, shardOf(gid)); err != nil {
		t.Fatal(err)
	}
	if n := hmgets(t, rdb) - before; n != 0 || category() != "mugs" {
		t.Errorf("a refresh of an unchanged catalog read products %d times and gives %q; want 0 reads and mugs", n, category())
	}

	put("cups")
	if err := c.refresh(ctx, store, shardOf(gid)); err != nil {
		t.Fatal(err)
	}
	if got := category(); got != "cups" {
		t.Errorf("after the catalog changed the cache gives %q; want cups", got)
	}
}
