package trainer

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"sync"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// Part is one fitted component of a snapshot and its blend weight.
type Part struct {
	Algorithm string
	Weight    float64
	Component Component
}

// Snapshot is an immutable, versioned set of fitted components over one item
// vocabulary, blended into one ranking. Safe for concurrent use.
type Snapshot struct {
	Update schemas.ModelUpdate
	Items  []string
	Parts  []Part
	index  map[string]int32
	bufs   sync.Pool // of *rankBufs
}

// NewSnapshot assembles parts fitted on d.
func NewSnapshot(update schemas.ModelUpdate, items []string, parts []Part) *Snapshot {
	s := &Snapshot{Update: update, Items: items, Parts: parts, index: make(map[string]int32, len(items))}
	for k, it := range items {
		s.index[it] = int32(k)
	}
	s.bufs.New = func() any { return newRankBufs(len(items)) }
	return s
}

// Version names the snapshot.
func (s *Snapshot) Version() string { return s.Update.Version }

// Events converts a Redis history to item ids, dropping unknown items.
func (s *Snapshot) Events(h []features.Entry) []Event {
	return s.appendEvents(make([]Event, 0, len(h)), h)
}

// appendEvents is Events appending to out.
func (s *Snapshot) appendEvents(out []Event, h []features.Entry) []Event {
	for _, e := range h {
		if id, ok := s.index[e.ProductGID]; ok {
			out = append(out, Event{Item: id, Type: e.Type, Time: e.Time.UnixMilli()})
		}
	}
	return out
}

// Contribution is what one part of a snapshot adds to an item's blended
// score for one user, as Blend computes it.
type Contribution struct {
	Algorithm string
	Weight    float64 // the part's blend weight
	Raw       float32 // the part's own score of the item
	Scaled    float32 // Raw over the part's best score for this user (0 if it has none)
	Score     float64 // Weight × Scaled: the part's share of the blended score
}

// Explain returns, for each of gids, every part's contribution to its
// blended score for a user with history h (oldest first): why Rank put it
// where it did. An item the snapshot does not know gets no contributions.
func (s *Snapshot) Explain(h []features.Entry, gids []string) [][]Contribution {
	events := s.Events(h)
	part := make([]float32, len(s.Items))
	out := make([][]Contribution, len(gids))
	for _, p := range s.Parts {
		p.Component.Score(events, part)
		var top float32
		for _, v := range part {
			top = max(top, v)
		}
		for k, gid := range gids {
			id, ok := s.index[gid]
			if !ok {
				continue
			}
			c := Contribution{Algorithm: p.Algorithm, Weight: p.Weight, Raw: part[id]}
			if top > 0 {
				c.Scaled = part[id] / top
				c.Score = p.Weight * float64(c.Scaled)
			}
			out[k] = append(out[k], c)
		}
	}
	return out
}

type snapshotFile struct {
	Update schemas.ModelUpdate
	Items  []string
	Parts  []partFile
}

type partFile struct {
	Algorithm string
	Weight    float64
	Data      []byte
}

// MarshalBinary encodes the snapshot for storage.
func (s *Snapshot) MarshalBinary() ([]byte, error) {
	f := snapshotFile{Update: s.Update, Items: s.Items}
	for _, p := range s.Parts {
		data, err := p.Component.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", p.Algorithm, err)
		}
		f.Parts = append(f.Parts, partFile{p.Algorithm, p.Weight, data})
	}
	return gobEncode(f)
}

// DecodeSnapshot restores a snapshot written by MarshalBinary, decoding each
// part with the algorithm of that name in reg.
func DecodeSnapshot(data []byte, reg Registry) (*Snapshot, error) {
	var f snapshotFile
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding snapshot: %w", err)
	}
	parts := make([]Part, 0, len(f.Parts))
	for _, p := range f.Parts {
		alg, err := reg.Lookup(p.Algorithm)
		if err != nil {
			return nil, fmt.Errorf("decoding snapshot: %w", err)
		}
		c, err := alg.Decode(p.Data)
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{p.Algorithm, p.Weight, c})
	}
	return NewSnapshot(f.Update, f.Items, parts), nil
}
