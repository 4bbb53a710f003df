package mf

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
)

func TestKernelsMatchGonumAtEveryLength(t *testing.T) {
	for n := 0; n <= 131; n++ {
		x, y := Random(1, n, 1, uint64(n)), Random(1, n+3, 1, uint64(n+1000))
		want := gonum.Implementation{}.Sdot(n, x, 1, y, 1)
		if got := Dot(x, y); math.Abs(float64(got-want)) > 1e-4 {
			t.Fatalf("n=%d: Dot = %v, gonum %v", n, got, want)
		}
		z := append([]float32(nil), y...)
		Axpy(0.5, x, y)
		gonum.Implementation{}.Saxpy(n, 0.5, x, 1, z, 1)
		for j := range z {
			if math.Abs(float64(y[j]-z[j])) > 1e-6 {
				t.Fatalf("n=%d: Axpy[%d] = %v, gonum %v", n, j, y[j], z[j])
			}
		}
	}
}

func BenchmarkDot64(b *testing.B) {
	x, y := Random(1, 64, 1, 1), Random(1, 64, 1, 2)
	b.ReportAllocs()
	var s float32
	for b.Loop() {
		s += Dot(x, y)
	}
	_ = s
}

func BenchmarkAxpy64(b *testing.B) {
	x, y := Random(1, 64, 1, 1), Random(1, 64, 1, 2)
	b.ReportAllocs()
	for b.Loop() {
		Axpy(1e-9, x, y)
	}
}

func TestCombineAndDotsMatchLoops(t *testing.T) {
	for _, k := range []int{1, 7, 8, 9, 16, 24, 63, 64, 65, 72, 128, 136} {
		stride := k + 3
		y := Random(20, stride, 1, uint64(k))
		idx := []int32{3, 0, 19, 7, 7, 12}
		w := Random(1, len(idx), 1, 99)
		x := Random(1, k, 1, 98)
		out := Random(1, k, 1, 97)
		want := append([]float32(nil), out...)
		for ti, r := range idx {
			for j := 0; j < k; j++ {
				want[j] += w[ti] * y[int(r)*stride+j]
			}
		}
		Combine(y, stride, idx, w, out)
		for j := range want {
			if math.Abs(float64(out[j]-want[j])) > 1e-5 {
				t.Fatalf("k=%d: Combine[%d] = %v, want %v", k, j, out[j], want[j])
			}
		}
		dots := make([]float32, len(idx))
		Dots(y, stride, idx, x, dots)
		for ti, r := range idx {
			var s float64
			for j := 0; j < k; j++ {
				s += float64(y[int(r)*stride+j] * x[j])
			}
			if math.Abs(float64(dots[ti])-s) > 1e-4 {
				t.Fatalf("k=%d: Dots[%d] = %v, want %v", k, ti, dots[ti], s)
			}
		}
	}
}

func TestScaleAddMatchesALoop(t *testing.T) {
	for n := 0; n <= 75; n++ {
		x, y := Random(1, n, 1, uint64(n)), Random(1, n+2, 1, uint64(n+7))
		want := append([]float32(nil), y...)
		for j := range x {
			want[j] = 0.9*want[j] - 0.3*x[j]
		}
		ScaleAdd(0.9, y, -0.3, x)
		for j := range want {
			if math.Abs(float64(y[j]-want[j])) > 1e-6 {
				t.Fatalf("n=%d: y[%d] = %v, want %v", n, j, y[j], want[j])
			}
		}
	}
}
