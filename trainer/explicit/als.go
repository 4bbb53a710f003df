package explicit

import (
	"context"
	"fmt"

	"github.com/recsys/recsys/trainer/mf"
)

// ALS is explicit alternating least squares as in the Spark MLlib recipe
// (rank, maxIter, regParam with weighted-λ regularisation: each row's
// penalty is Reg times its number of ratings), fitted to the residuals of
// Baseline so that the factors model only the interaction; predictions are
// clamped to the rating range. Set NoBiases for Spark's plain p·q.
type ALS struct {
	// Rank is the number of factors. Default: 32.
	Rank int
	// Iterations of alternating user and item solves. Default: 10.
	Iterations int
	// Reg is regParam. Default: 0.1.
	Reg float64
	// NoBiases fits raw ratings without the baseline, as Spark does.
	NoBiases bool
}

func (a ALS) withDefaults() ALS {
	if a.Rank == 0 {
		a.Rank = 32
	}
	if a.Iterations == 0 {
		a.Iterations = 10
	}
	if a.Reg == 0 {
		a.Reg = 0.1
	}
	return a
}

// Name implements Fitter.
func (a ALS) Name() string {
	a = a.withDefaults()
	return fmt.Sprintf("als(rank=%d,iter=%d,reg=%g,biases=%t)", a.Rank, a.Iterations, a.Reg, !a.NoBiases)
}

// Fit implements Fitter. Rows are solved in parallel on threads goroutines;
// each row's solve is independent, so the result does not depend on threads.
func (a ALS) Fit(ctx context.Context, r *Ratings, threads int, seed uint64) (*Model, error) {
	a = a.withDefaults()
	var m *Model
	if a.NoBiases {
		m = newModel(r, a.Rank)
		m.Low, m.High = r.Range()
	} else {
		base, err := Baseline{}.Fit(ctx, r, threads, seed)
		if err != nil {
			return nil, err
		}
		m = base
		m.K = a.Rank
	}
	m.P = mf.Random(len(r.Users), a.Rank, 0.1, seed)
	m.Q = mf.Random(len(r.Items), a.Rank, 0.1, seed+1)
	resid := make([]float32, len(r.R))
	for k, x := range r.R {
		resid[k] = x.Value - (m.Mean + m.UserBias[x.User] + m.ItemBias[x.Item])
	}
	byUser, byItem := r.byRow(false), r.byRow(true)
	for it := 0; it < a.Iterations; it++ {
		err := a.solveRows(ctx, m.P, m.Q, byUser, r, resid, func(x Rating) int32 { return x.Item }, threads)
		if err != nil {
			return nil, err
		}
		err = a.solveRows(ctx, m.Q, m.P, byItem, r, resid, func(x Rating) int32 { return x.User }, threads)
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// solveRows sets every row of x to argmin Σ (resid − x·y_other)² +
// Reg·n·|x|², with other(rating) naming the fixed side's row.
func (a ALS) solveRows(ctx context.Context, x, y []float32, rows [][]int32, r *Ratings, resid []float32, other func(Rating) int32, threads int) error {
	k := a.Rank
	return mf.For(ctx, len(rows), threads, 32, func(_, lo, hi int) {
		idx, w, rhs := []int32{}, []float32{}, []float32{}
		gram := make([]float32, k*k)
		for row := lo; row < hi; row++ {
			ks := rows[row]
			if len(ks) == 0 {
				continue
			}
			if cap(w) < len(ks) {
				w = make([]float32, len(ks))
			}
			idx, rhs, w = idx[:0], rhs[:0], w[:len(ks)]
			for _, j := range ks {
				idx = append(idx, other(r.R[j]))
				rhs = append(rhs, resid[j])
			}
			clear(gram)
			for p := 0; p < k; p++ {
				for t, i := range idx {
					w[t] = y[int(i)*k+p]
				}
				mf.Combine(y, k, idx, w, gram[p*k:(p+1)*k])
				gram[p*k+p] += float32(a.Reg * float64(len(ks)))
			}
			b := make([]float32, k)
			mf.Combine(y, k, idx, rhs, b)
			if sol := mf.SolveSPD(k, gram, b); sol != nil {
				copy(mf.Vec(x, row, k), sol)
			}
		}
	})
}
