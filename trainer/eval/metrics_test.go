package eval

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScoreMatchesHandComputedValues(t *testing.T) {
	// Case 0: relevant {7, 9}; list 7, 1, 9 → hits at ranks 1 and 3.
	// Case 1: relevant {4}; list 2, 4, 5 → hit at rank 2.
	// Case 2: relevant {8}; empty list → a miss.
	test := []Case{{User: 0, Relevant: []int32{7, 9}}, {User: 1, Relevant: []int32{4}}, {User: 2, Relevant: []int32{8}}}
	lists := [][]int32{{7, 1, 9}, {2, 4, 5}, nil}
	m := Score(lists, test, []int{1, 3}, 10)
	at1, at3 := m[0], m[1]

	// K = 1: only case 0 hits (rank 1).
	want1 := map[string][2]float64{
		"HR": {at1.HR, 1.0 / 3}, "NDCG": {at1.NDCG, 1.0 / 3}, "MRR": {at1.MRR, 1.0 / 3},
		"P": {at1.Precision, 1.0 / 3}, "R": {at1.Recall, 0.5 / 3}, "MAP": {at1.MAP, 1.0 / 3},
		"cov": {at1.Coverage, 2.0 / 10},
	}
	// K = 3: case 0 DCG = 1 + 1/log2(4) = 1.5, IDCG = 1 + 1/log2(3);
	// case 1 DCG = 1/log2(3), IDCG = 1. AP: case 0 (1/1 + 2/3)/2, case 1 1/2.
	idcg0 := 1 + 1/math.Log2(3)
	want3 := map[string][2]float64{
		"HR":   {at3.HR, 2.0 / 3},
		"NDCG": {at3.NDCG, (1.5/idcg0 + 1/math.Log2(3)) / 3},
		"MRR":  {at3.MRR, (1 + 0.5) / 3},
		"P":    {at3.Precision, (2.0/3 + 1.0/3) / 3},
		"R":    {at3.Recall, (1 + 1) / 3.0},
		"MAP":  {at3.MAP, ((1+2.0/3)/2 + 0.5) / 3},
		"cov":  {at3.Coverage, 6.0 / 10}, // 7, 1, 9, 2, 4, 5
	}
	for name, v := range want1 {
		if !near(v[0], v[1]) {
			t.Errorf("@1 %s = %v, want %v", name, v[0], v[1])
		}
	}
	for name, v := range want3 {
		if !near(v[0], v[1]) {
			t.Errorf("@3 %s = %v, want %v", name, v[0], v[1])
		}
	}
	if at3.Users != 3 || at3.K != 3 {
		t.Errorf("users, K = %d, %d; want 3, 3", at3.Users, at3.K)
	}
}
