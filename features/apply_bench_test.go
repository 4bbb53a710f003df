package features_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// BenchmarkApply measures Redis effects per event in batches of 1000 events
// over 300 users, as ingest sends them (ns/op is per event).
func BenchmarkApply(b *testing.B) {
	s, _ := newStore(b, features.Config{})
	ctx := context.Background()
	batch := make([]schemas.Interaction, 0, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		typ := schemas.View
		if n%10 == 0 {
			typ = schemas.AddToCart
		}
		batch = append(batch, schemas.Interaction{EventID: fmt.Sprint("e", n), UserID: fmt.Sprint("u", n%300), Type: typ,
			ProductGID: schemas.ProductGID(uint64(n%500 + 1)), Time: t0, Source: schemas.Offset{Topic: "in", Offset: int64(n)}})
		if len(batch) == cap(batch) || n == b.N-1 {
			if _, err := s.Apply(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
