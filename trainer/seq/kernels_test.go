package seq

import (
	"math"
	"slices"
	"testing"
)

func TestFastExpMatchesExpOnNonPositiveInputs(t *testing.T) {
	for x := float32(-90); x <= 0; x += 0.01 {
		want := math.Exp(float64(x))
		got := float64(fastExp(x))
		if math.Abs(got-want) > 2e-6*want+1e-37 {
			t.Fatalf("fastExp(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestSigmoidAndTanhMatchTheLibrary(t *testing.T) {
	for x := float32(-50); x <= 50; x += 0.001 {
		if got, want := float64(sigmoid(x)), 1/(1+math.Exp(-float64(x))); math.Abs(got-want) > 1e-6 {
			t.Fatalf("sigmoid(%v) = %v, want %v", x, got, want)
		}
		if got, want := float64(tanh(x)), math.Tanh(float64(x)); math.Abs(got-want) > 1e-6 {
			t.Fatalf("tanh(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestNearestKeepsTheLargestWithLowerIndicesWinningTies(t *testing.T) {
	v := []float32{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}
	got, _ := nearest(v, 3, nil, nil) // 9, 6 and the first of the three 5s
	if want := []int32{4, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("nearest = %v, want %v", got, want)
	}
	got, _ = nearest(v, 4, nil, nil) // 5 appears at 4, 8 and 10: 4 and 8 win
	if want := []int32{4, 5, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("nearest = %v, want %v", got, want)
	}
	if got, _ := nearest(v, 0, nil, nil); len(got) != 0 {
		t.Errorf("nearest(0) = %v", got)
	}
	if got, _ := nearest(v[:2], 5, nil, nil); len(got) != 2 {
		t.Errorf("nearest of 2 values = %v", got)
	}
}
