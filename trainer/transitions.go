package trainer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"fmt"
	"slices"
)

// Transitions is an item-to-item model of what follows what: for each pair of
// items within Window steps of each other in a user's time-ordered history it
// adds weight(type of the later event)/distance forward and Backward times that
// backward; rows are normalized to sum to 1 and pruned to the Neighbors
// strongest. Scoring sums the rows of the user's last Recent distinct items,
// weighted 1/(1+age).
type Transitions struct {
	// Window is the largest step distance counted. Default: 5.
	Window int
	// Backward weighs pairs seen in reverse order. Default: 0.5.
	Backward float64
	// Neighbors kept per item. Default: 200.
	Neighbors int
	// Recent history items used when scoring. Default: 5.
	Recent int
}

// Name implements Algorithm.
func (Transitions) Name() string { return "transitions" }

func (t Transitions) withDefaults() Transitions {
	if t.Window == 0 {
		t.Window = 5
	}
	if t.Backward == 0 {
		t.Backward = 0.5
	}
	if t.Neighbors == 0 {
		t.Neighbors = 200
	}
	if t.Recent == 0 {
		t.Recent = 5
	}
	return t
}

// Fit implements Algorithm.
func (t Transitions) Fit(ctx context.Context, d *Dataset, cfg FitConfig) (Component, error) {
	t = t.withDefaults()
	rows := make([]map[int32]float32, len(d.Items))
	for u, s := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s = dedupeRuns(s)
		for p := range s {
			for q := p + 1; q < len(s) && q-p <= t.Window; q++ {
				i, j := s[p].Item, s[q].Item
				if i == j {
					continue
				}
				dist := float32(q - p)
				addTo(rows, i, j, float32(cfg.Weights[s[q].Type])/dist)
				addTo(rows, j, i, float32(t.Backward*cfg.Weights[s[p].Type])/dist)
			}
		}
	}
	m := &transitionsModel{Recent: t.Recent, Rows: make([][]Scored, len(rows))}
	for i, row := range rows {
		m.Rows[i] = normalizedRow(row, t.Neighbors)
	}
	return m, nil
}

func addTo(rows []map[int32]float32, i, j int32, w float32) {
	if w <= 0 {
		return
	}
	if rows[i] == nil {
		rows[i] = map[int32]float32{}
	}
	rows[i][j] += w
}

// dedupeRuns drops consecutive repeats of the same item (a view then a cart of
// one product is one step), keeping the stronger event's type.
func dedupeRuns(s []Event) []Event {
	out := make([]Event, 0, len(s))
	for _, e := range s {
		if n := len(out); n > 0 && out[n-1].Item == e.Item {
			out[n-1] = e
			continue
		}
		out = append(out, e)
	}
	return out
}

func normalizedRow(row map[int32]float32, keep int) []Scored {
	out := make([]Scored, 0, len(row))
	var sum float32
	for j, w := range row {
		out = append(out, Scored{j, w})
		sum += w
	}
	slices.SortFunc(out, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Item, b.Item)
	})
	if len(out) > keep {
		out = out[:keep]
	}
	for k := range out {
		out[k].Score /= sum
	}
	return out
}

// Decode implements Algorithm.
func (Transitions) Decode(data []byte) (Component, error) {
	var m transitionsModel
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, fmt.Errorf("decoding transitions: %w", err)
	}
	return &m, nil
}

type transitionsModel struct {
	Recent int
	Rows   [][]Scored
}

func (m *transitionsModel) Score(h []Event, scores []float32) {
	clear(scores)
	age := 0
	for k := len(h) - 1; k >= 0 && age < m.Recent; k-- {
		if k < len(h)-1 && h[k].Item == h[k+1].Item {
			continue
		}
		if int(h[k].Item) >= len(m.Rows) {
			continue
		}
		w := 1 / float32(1+age)
		for _, n := range m.Rows[h[k].Item] {
			scores[n.Item] += w * n.Score
		}
		age++
	}
}

func (m *transitionsModel) MarshalBinary() ([]byte, error) { return gobEncode(m) }
