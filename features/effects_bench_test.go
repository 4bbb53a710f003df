package features_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// BenchmarkRecord measures the scorer's writes per batch of 500 events and
// 80 lists of 16 items (ns/op is per list): exposures, tallies, list counts.
func BenchmarkRecord(b *testing.B) {
	s, _ := newStore(b, features.Config{})
	ctx := context.Background()
	v1 := features.ListKey{Role: features.RoleServing, Version: "v1"}
	var offset int64
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += 80 {
		var e features.Effects
		e.Window, e.Partitions, e.Lists = time.Hour, map[string][]features.TallyEvent{}, map[features.ListKey]int{v1: 80}
		for k := 0; k < 500; k++ {
			offset++
			e.Partitions["in/0"] = append(e.Partitions["in/0"], features.TallyEvent{Offset: offset,
				Product: schemas.ProductGID(uint64(offset%5000 + 1)), Category: fmt.Sprint("c", offset%20),
				Type: schemas.View, Time: t0, Attributed: []features.ListKey{v1}[:offset%2]})
		}
		for k := 0; k < 80; k++ {
			r := schemas.Recommendation{UserID: fmt.Sprint("u", (n+k)%3000), RecommendationID: "r", ModelVersion: "v1",
				Trigger: schemas.Trigger{Offset: schemas.Offset{Topic: "in", Offset: offset - int64(k)}}}
			for j := 0; j < 16; j++ {
				r.Items = append(r.Items, schemas.ScoredItem{ProductGID: schemas.ProductGID(uint64((k*16+j)%5000 + 1)), Score: 1})
			}
			e.Exposures = append(e.Exposures, features.Exposure{Role: features.RoleServing, Rec: r, At: t0})
		}
		if _, err := s.Record(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUsers measures the scorer's read of a batch of 8 users whose seen
// sets are full (1000 products) and histories at their cap (ns/op is per user).
func BenchmarkUsers(b *testing.B) {
	s, _ := newStore(b, features.Config{})
	ctx := context.Background()
	var ids []string
	for u := range 8 {
		id := fmt.Sprint("u", u)
		ids = append(ids, id)
		var batch []schemas.Interaction
		for k := range 1000 {
			batch = append(batch, schemas.Interaction{EventID: fmt.Sprint(id, "-", k), UserID: id, Type: schemas.View,
				ProductGID: schemas.ProductGID(uint64(k + 1)), Time: t0.Add(time.Duration(k) * time.Second),
				Source: schemas.Offset{Topic: "in", Offset: int64(u*1000 + k)}})
		}
		if _, err := s.Apply(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += len(ids) {
		if _, err := s.Users(ctx, ids, 50); err != nil {
			b.Fatal(err)
		}
	}
}
