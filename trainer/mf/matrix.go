package mf

import (
	"math"
	"slices"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// Matrix is a sparse matrix in compressed-row form: row r holds columns
// Idx[Ptr[r]:Ptr[r+1]] (ascending) with values Val[Ptr[r]:Ptr[r+1]].
type Matrix struct {
	Rows, Cols int
	Ptr        []int
	Idx        []int32
	Val        []float32
}

// Row returns the columns and values of row r.
func (m *Matrix) Row(r int) ([]int32, []float32) {
	lo, hi := m.Ptr[r], m.Ptr[r+1]
	return m.Idx[lo:hi], m.Val[lo:hi]
}

// NNZ counts the stored entries.
func (m *Matrix) NNZ() int { return len(m.Idx) }

// Strength turns events into interaction strengths: the weight of each
// event's type, optionally halved every HalfLife before the user's latest
// event, so that a history says more about what the user wants now.
type Strength struct {
	Weights  map[schemas.EventType]float64
	HalfLife time.Duration // 0: no decay
}

// Interactions builds the user × item matrix of d: entry (u, i) is the sum
// of the strengths of u's events on i. Pairs whose sum is not positive (only
// remove-from-cart events, say) are left out: they carry no preference.
func Interactions(d *trainer.Dataset, st Strength) *Matrix {
	m := &Matrix{Rows: len(d.Seqs), Cols: len(d.Items), Ptr: make([]int, len(d.Seqs)+1)}
	for u, s := range d.Seqs {
		idx, val := st.History(s)
		m.Idx = append(m.Idx, idx...)
		m.Val = append(m.Val, val...)
		m.Ptr[u+1] = len(m.Idx)
	}
	return m
}

// History aggregates one user's events into ascending item ids and summed
// strengths, the row Interactions would build for them. Fold-in uses it at
// scoring time, so a new user is treated exactly like a training user.
func (st Strength) History(h []trainer.Event) ([]int32, []float32) {
	return st.AppendHistory(make([]int32, 0, len(h)), nil, h)
}

// AppendHistory is History writing into the storage of items and val (their
// contents are ignored), so that scoring can reuse buffers.
func (st Strength) AppendHistory(items []int32, val []float32, h []trainer.Event) ([]int32, []float32) {
	items = items[:0]
	for _, e := range h {
		items = append(items, e.Item)
	}
	slices.Sort(items)
	items = slices.Compact(items)
	val = append(val[:0], make([]float32, len(items))...)
	var latest int64
	for _, e := range h {
		latest = max(latest, e.Time)
	}
	for _, e := range h {
		k, _ := slices.BinarySearch(items, e.Item)
		w := st.Weights[e.Type]
		if st.HalfLife > 0 {
			w *= math.Exp2(-float64(latest-e.Time) / float64(st.HalfLife.Milliseconds()))
		}
		val[k] += float32(w)
	}
	out := 0
	for k := range items {
		if val[k] > 0 {
			items[out], val[out] = items[k], val[k]
			out++
		}
	}
	return items[:out], val[:out]
}

// Transpose returns the column-major view as a new Matrix (items × users).
func (m *Matrix) Transpose() *Matrix {
	t := &Matrix{Rows: m.Cols, Cols: m.Rows, Ptr: make([]int, m.Cols+1)}
	for _, c := range m.Idx {
		t.Ptr[c+1]++
	}
	for c := 0; c < m.Cols; c++ {
		t.Ptr[c+1] += t.Ptr[c]
	}
	t.Idx = make([]int32, len(m.Idx))
	t.Val = make([]float32, len(m.Val))
	next := slices.Clone(t.Ptr[:m.Cols])
	for r := 0; r < m.Rows; r++ {
		for k := m.Ptr[r]; k < m.Ptr[r+1]; k++ {
			c := m.Idx[k]
			t.Idx[next[c]] = int32(r)
			t.Val[next[c]] = m.Val[k]
			next[c]++
		}
	}
	return t
}

// ColumnCounts counts the stored entries of each column (users per item).
func (m *Matrix) ColumnCounts() []int {
	n := make([]int, m.Cols)
	for _, c := range m.Idx {
		n[c]++
	}
	return n
}
