package trainer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"
)

// Transitions is a sequential-rules model of what follows what. For each pair
// of items within Window steps of each other in a user's time-ordered history
// it adds weight(type of the later event)/distance^Decay forward and Backward
// times that backward; pairs separated by more than Gap in time count Across
// times as much (a new visit is a weaker signal than the next click). Rows are
// normalized to sum to 1, divided by the target's popularity^PopPower and
// pruned to the Neighbors strongest. Scoring sums the rows of the user's last
// Recent distinct items, the k-th most recent weighted 1/(1+k)^Fade.
type Transitions struct {
	// Window is the largest step distance counted. Default: 10.
	Window int
	// Backward weighs pairs seen in reverse order. Default: 0.1.
	Backward float64
	// Decay is the exponent of the step-distance decay. Default: 0.5.
	Decay float64
	// Gap splits sessions; Across weighs pairs that span one. Default: 30m.
	Gap time.Duration
	// Across weighs pairs more than Gap apart in time. Default: 1 (no split).
	Across float64
	// PopPower discounts popular targets. Default: 0.
	PopPower float64
	// Neighbors kept per item. Default: 200.
	Neighbors int
	// Recent history items used when scoring. Default: 5.
	Recent int
	// Fade is the exponent of the recency weight when scoring. Default: 2.
	Fade float64
}

// Name implements Algorithm.
func (Transitions) Name() string { return "transitions" }

func (t Transitions) withDefaults() Transitions {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if t.Window == 0 {
		t.Window = 10
	}
	if t.Neighbors == 0 {
		t.Neighbors = 200
	}
	if t.Recent == 0 {
		t.Recent = 5
	}
	if t.Gap == 0 {
		t.Gap = 30 * time.Minute
	}
	def(&t.Backward, 0.1)
	def(&t.Decay, 0.5)
	def(&t.Across, 1)
	def(&t.Fade, 2)
	return t
}

// Fit implements Algorithm.
func (t Transitions) Fit(ctx context.Context, d *Dataset, cfg FitConfig) (Component, error) {
	t = t.withDefaults()
	rows := make([]map[int32]float32, len(d.Items))
	pop := make([]float64, len(d.Items))
	gap := t.Gap.Milliseconds()
	for u, s := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s = dedupeRuns(s)
		for p := range s {
			pop[s[p].Item]++
			for q := p + 1; q < len(s) && q-p <= t.Window; q++ {
				i, j := s[p].Item, s[q].Item
				if i == j {
					continue
				}
				w := math.Pow(float64(q-p), -t.Decay)
				if s[q].Time-s[p].Time > gap {
					w *= t.Across
				}
				addTo(rows, i, j, float32(w*cfg.Weights[s[q].Type]))
				addTo(rows, j, i, float32(w*t.Backward*cfg.Weights[s[p].Type]))
			}
		}
	}
	m := &transitionsModel{Recent: t.Recent, Fade: t.Fade, Rows: make([][]Scored, len(rows))}
	for i, row := range rows {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m.Rows[i] = normalizedRow(row, pop, t.PopPower, t.Neighbors)
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

// normalizedRow divides a row by its sum and each target by pop^power, and
// keeps the keep strongest, best first (ties: lower item id).
func normalizedRow(row map[int32]float32, pop []float64, power float64, keep int) []Scored {
	out := make([]Scored, 0, len(row))
	var sum float32
	for _, w := range row {
		sum += w
	}
	for j, w := range row {
		s := w / sum
		if power != 0 {
			s /= float32(math.Pow(max(pop[j], 1), power))
		}
		out = append(out, Scored{j, s})
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
	return slices.Clip(out)
}

// Decode implements Algorithm.
func (Transitions) Decode(data []byte) (Component, error) {
	var m transitionsModel
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, fmt.Errorf("decoding transitions: %w", err)
	}
	if m.Fade == 0 {
		m.Fade = 1 // written before Fade existed
	}
	return &m, nil
}

type transitionsModel struct {
	Recent int
	Fade   float64
	Rows   [][]Scored
}

// transitionsState is transitionsModel without methods: gob would otherwise
// call MarshalBinary from inside MarshalBinary (see popularityState).
type transitionsState transitionsModel

func (m *transitionsModel) Score(h []Event, scores []float32) {
	clear(scores)
	for row, w := range m.recent(h) {
		for _, n := range row {
			scores[n.Item] += w * n.Score
		}
	}
}

// ScoreSparse implements SparseComponent.
func (m *transitionsModel) ScoreSparse(h []Event, scores []float32, touched []int32) []int32 {
	for row, w := range m.recent(h) {
		for _, n := range row {
			scores[n.Item] += w * n.Score
			touched = append(touched, n.Item)
		}
	}
	return touched
}

// recent yields the rows of the last Recent distinct items of h, newest
// first, with their recency weights.
func (m *transitionsModel) recent(h []Event) iter.Seq2[[]Scored, float32] {
	return func(yield func([]Scored, float32) bool) {
		age := 0
		for k := len(h) - 1; k >= 0 && age < m.Recent; k-- {
			if k < len(h)-1 && h[k].Item == h[k+1].Item {
				continue
			}
			if int(h[k].Item) >= len(m.Rows) {
				continue
			}
			if !yield(m.Rows[h[k].Item], float32(math.Pow(float64(1+age), -m.Fade))) {
				return
			}
			age++
		}
	}
}

func (m *transitionsModel) MarshalBinary() ([]byte, error) { return gobEncode((*transitionsState)(m)) }
