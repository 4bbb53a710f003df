package trainer

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math"
	"time"
)

// Popularity scores items by their weighted event count, optionally decayed
// by age relative to the newest event of the training data. It ignores the
// user's history: it is the cold-start fallback and every evaluation's
// baseline.
type Popularity struct {
	// HalfLife decays older events; 0 means plain counts.
	HalfLife time.Duration
}

// Name implements Algorithm.
func (Popularity) Name() string { return "popularity" }

// Fit implements Algorithm.
func (p Popularity) Fit(ctx context.Context, d *Dataset, cfg FitConfig) (Component, error) {
	var newest int64
	for _, s := range d.Seqs {
		if len(s) > 0 && s[len(s)-1].Time > newest {
			newest = s[len(s)-1].Time
		}
	}
	scores := make([]float32, len(d.Items))
	for _, s := range d.Seqs {
		for _, e := range s {
			w := cfg.Weights[e.Type]
			if p.HalfLife > 0 {
				w *= math.Exp2(-float64(newest-e.Time) / float64(p.HalfLife.Milliseconds()))
			}
			scores[e.Item] += float32(w)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &popularityModel{Scores: scores}, nil
}

// Decode implements Algorithm.
func (Popularity) Decode(data []byte) (Component, error) {
	var m popularityState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, fmt.Errorf("decoding popularity: %w", err)
	}
	return (*popularityModel)(&m), nil
}

type popularityModel struct{ Scores []float32 }

// popularityState is popularityModel without methods: gob would otherwise
// call MarshalBinary from inside MarshalBinary.
type popularityState popularityModel

func (m *popularityModel) Score(_ []Event, scores []float32) { copy(scores, m.Scores) }

func (m *popularityModel) MarshalBinary() ([]byte, error) { return gobEncode((*popularityState)(m)) }

func gobEncode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("encoding model: %w", err)
	}
	return buf.Bytes(), nil
}
