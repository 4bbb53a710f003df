package mf

import (
	"slices"
	"testing"
)

func TestDotsAllGivesTheBitsOfDots(t *testing.T) {
	for _, k := range []int{1, 8, 13, 16, 24, 63, 64, 72, 128} {
		for _, stride := range []int{k, k + 3} {
			for _, n := range []int{0, 1, 2, 3, 64, 65, 130, 1001} {
				y := Random(n, stride, 1, uint64(k*n+stride))
				x := Random(1, k, 1, uint64(k))
				rows := make([]int32, n)
				for r := range rows {
					rows[r] = int32(r)
				}
				want, got := make([]float32, n), make([]float32, n)
				Dots(y, stride, rows, x, want)
				DotsAll(y, stride, x, got)
				if !slices.Equal(got, want) {
					t.Fatalf("k %d, stride %d, %d rows: DotsAll differs from Dots", k, stride, n)
				}
			}
		}
	}
}

func TestDotsAllRejectsRowsOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	DotsAll(make([]float32, 64*3-1), 64, make([]float32, 64), make([]float32, 3))
}

func BenchmarkDotsAll(b *testing.B) {
	const n, k = 5000, 64
	y, x, out := Random(n, k, 1, 1), Random(1, k, 1, 2), make([]float32, n)
	rows := make([]int32, n)
	for r := range rows {
		rows[r] = int32(r)
	}
	b.Run("Dots", func(b *testing.B) {
		for b.Loop() {
			Dots(y, k, rows, x, out)
		}
	})
	b.Run("DotsAll", func(b *testing.B) {
		for b.Loop() {
			DotsAll(y, k, x, out)
		}
	})
}
