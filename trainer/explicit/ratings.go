package explicit

import (
	"math"
	"math/rand/v2"
)

// Rating is one user's rating of one item, in dense ids.
type Rating struct {
	User, Item int32
	Value      float32
	Time       int64 // Unix ms
}

// Ratings is a rating log over a user and item vocabulary. Splits share the
// vocabulary of the log they came from, so ids mean the same in both.
type Ratings struct {
	Users, Items []string
	R            []Rating
}

// Builder accumulates ratings; ids are assigned in order of first
// appearance.
type Builder struct {
	users, items map[string]int32
	r            Ratings
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{users: map[string]int32{}, items: map[string]int32{}}
}

// Add records one rating at Unix milliseconds ms.
func (b *Builder) Add(user, item string, value float32, ms int64) {
	b.r.R = append(b.r.R, Rating{User: id(b.users, &b.r.Users, user), Item: id(b.items, &b.r.Items, item), Value: value, Time: ms})
}

func id(ids map[string]int32, names *[]string, name string) int32 {
	v, ok := ids[name]
	if !ok {
		v = int32(len(*names))
		ids[name] = v
		*names = append(*names, name)
	}
	return v
}

// Build returns the Ratings; the Builder must not be used afterwards.
func (b *Builder) Build() *Ratings { return &b.r }

// with returns ratings rs over r's vocabulary.
func (r *Ratings) with(rs []Rating) *Ratings { return &Ratings{Users: r.Users, Items: r.Items, R: rs} }

// Split puts each rating in test with probability frac, drawn from a
// generator seeded by seed: protocol EXP's random split.
func (r *Ratings) Split(frac float64, seed uint64) (train, test *Ratings) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var tr, te []Rating
	for _, x := range r.R {
		if rng.Float64() < frac {
			te = append(te, x)
		} else {
			tr = append(tr, x)
		}
	}
	return r.with(tr), r.with(te)
}

// Range returns the smallest and largest rating.
func (r *Ratings) Range() (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range r.R {
		lo, hi = min(lo, x.Value), max(hi, x.Value)
	}
	return lo, hi
}

// Mean returns the mean rating.
func (r *Ratings) Mean() float32 {
	var s float64
	for _, x := range r.R {
		s += float64(x.Value)
	}
	return float32(s / float64(max(len(r.R), 1)))
}

// byRow groups rating indexes by user (or by item when items is true).
func (r *Ratings) byRow(items bool) [][]int32 {
	n := len(r.Users)
	if items {
		n = len(r.Items)
	}
	rows := make([][]int32, n)
	for k, x := range r.R {
		row := x.User
		if items {
			row = x.Item
		}
		rows[row] = append(rows[row], int32(k))
	}
	return rows
}

// Errors are rating-prediction errors.
type Errors struct {
	RMSE, MAE, R2 float64
	N             int
}

// Evaluate measures m's predictions on test.
func Evaluate(m *Model, test *Ratings) Errors {
	mean := float64(test.Mean())
	var se, ae, ss float64
	for _, x := range test.R {
		d := float64(m.Predict(x.User, x.Item) - x.Value)
		se += d * d
		ae += math.Abs(d)
		ss += (float64(x.Value) - mean) * (float64(x.Value) - mean)
	}
	n := float64(max(len(test.R), 1))
	e := Errors{RMSE: math.Sqrt(se / n), MAE: ae / n, N: len(test.R)}
	if ss > 0 {
		e.R2 = 1 - se/ss
	}
	return e
}
