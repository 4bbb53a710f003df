package eval

import (
	"math"
	"slices"

	"github.com/recsys/recsys/trainer"
)

// Score computes the ranking metrics of lists (lists[k] answers test[k],
// best first) at each K, averaged over all test cases; an empty list is a
// miss. With one relevant item per case they are the LLO metrics of
// docs/EVALUATION.md. With several:
//
//	HR@K        1 if any relevant item is in the top K
//	NDCG@K      DCG / ideal DCG, binary gains, discount 1/log2(rank+1)
//	MRR@K       1/rank of the first relevant item
//	Precision@K hits / K
//	Recall@K    hits / number of relevant items
//	MAP@K       Σ precision at each hit / min(K, number of relevant items)
//	Coverage@K  distinct items in the top K lists / nItems
func Score(lists [][]int32, test []Case, ks []int, nItems int) []trainer.Metrics {
	out := make([]trainer.Metrics, len(ks))
	for j, k := range ks {
		out[j] = scoreAt(lists, test, k, nItems)
	}
	return out
}

func scoreAt(lists [][]int32, test []Case, k, nItems int) trainer.Metrics {
	m := trainer.Metrics{K: k, Users: len(test)}
	seen := map[int32]bool{}
	for c, tc := range test {
		top := lists[c][:min(k, len(lists[c]))]
		var u trainer.Metrics
		hits, first := 0, 0
		for r, it := range top {
			seen[it] = true
			if !slices.Contains(tc.Relevant, it) {
				continue
			}
			hits++
			if first == 0 {
				first = r + 1
			}
			u.NDCG += 1 / math.Log2(float64(r)+2)
			u.MAP += float64(hits) / float64(r+1)
		}
		if hits == 0 {
			continue
		}
		ideal := 0.0
		for r := 0; r < min(k, len(tc.Relevant)); r++ {
			ideal += 1 / math.Log2(float64(r)+2)
		}
		m.HR++
		m.NDCG += u.NDCG / ideal
		m.MRR += 1 / float64(first)
		m.Precision += float64(hits) / float64(k)
		m.Recall += float64(hits) / float64(len(tc.Relevant))
		m.MAP += u.MAP / float64(min(k, len(tc.Relevant)))
	}
	if n := float64(len(test)); n > 0 {
		m.HR, m.NDCG, m.MRR = m.HR/n, m.NDCG/n, m.MRR/n
		m.Precision, m.Recall, m.MAP = m.Precision/n, m.Recall/n, m.MAP/n
	}
	if nItems > 0 {
		m.Coverage = float64(len(seen)) / float64(nItems)
	}
	return m
}
