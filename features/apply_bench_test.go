package features_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// BenchmarkApply measures Redis effects per event in batches of 1000 events,
// as ingest sends them (ns/op is per event): few users with several events per
// batch, and many users with about one event each (a large shop). It also
// reports the CPU redis-server spent per event, read from INFO cpu.
func BenchmarkApply(b *testing.B) {
	for _, users := range []int{300, 20000} {
		b.Run("users="+strconv.Itoa(users), func(b *testing.B) { benchApply(b, users) })
	}
}

func benchApply(b *testing.B, users int) {
	s, rdb := newStore(b, features.Config{})
	ctx := context.Background()
	batch := make([]schemas.Interaction, 0, 1000)
	before := redisCPU(b, rdb)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		typ := schemas.View
		if n%10 == 0 {
			typ = schemas.AddToCart
		}
		batch = append(batch, schemas.Interaction{EventID: fmt.Sprint("e", n), UserID: fmt.Sprint("u", n%users), Type: typ,
			ProductGID: schemas.ProductGID(uint64(n%500 + 1)), Time: t0, Source: schemas.Offset{Topic: "in", Offset: int64(n)}})
		if len(batch) == cap(batch) || n == b.N-1 {
			if _, err := s.Apply(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.StopTimer()
	b.ReportMetric((redisCPU(b, rdb)-before)*1e6/float64(b.N), "redis-µs/event")
}

// redisCPU is the CPU seconds redis-server has used (user + system).
func redisCPU(b *testing.B, rdb *redis.Client) float64 {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return total
}
