package explicit

import (
	"context"
	"fmt"
)

// Baseline predicts mean + user bias + item bias, the biases fitted by
// alternating regularised means (Koren 2010, §2.1). It is the reference row
// of every EXP table and the starting point of ALS.
type Baseline struct {
	// UserReg and ItemReg shrink the biases of users and items with few
	// ratings towards 0. Defaults: 15 and 10.
	UserReg, ItemReg float64
	// Iterations of the alternation. Default: 10.
	Iterations int
}

func (b Baseline) withDefaults() Baseline {
	if b.UserReg == 0 {
		b.UserReg = 15
	}
	if b.ItemReg == 0 {
		b.ItemReg = 10
	}
	if b.Iterations == 0 {
		b.Iterations = 10
	}
	return b
}

// Name implements Fitter.
func (b Baseline) Name() string {
	b = b.withDefaults()
	return fmt.Sprintf("baseline(reg_u=%g,reg_i=%g)", b.UserReg, b.ItemReg)
}

// Fit implements Fitter.
func (b Baseline) Fit(ctx context.Context, r *Ratings, _ int, _ uint64) (*Model, error) {
	b = b.withDefaults()
	m := newModel(r, 0)
	m.Mean = r.Mean()
	m.Low, m.High = r.Range()
	byUser, byItem := r.byRow(false), r.byRow(true)
	for it := 0; it < b.Iterations; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		shrunkMeans(r, byItem, m.ItemBias, b.ItemReg, func(x Rating) float32 { return x.Value - m.Mean - m.UserBias[x.User] })
		shrunkMeans(r, byUser, m.UserBias, b.UserReg, func(x Rating) float32 { return x.Value - m.Mean - m.ItemBias[x.Item] })
	}
	return m, nil
}

// shrunkMeans sets out[row] = Σ resid / (reg + n) over each row's ratings.
func shrunkMeans(r *Ratings, rows [][]int32, out []float32, reg float64, resid func(Rating) float32) {
	for row, ks := range rows {
		var s float64
		for _, k := range ks {
			s += float64(resid(r.R[k]))
		}
		out[row] = float32(s / (reg + float64(len(ks))))
	}
}
