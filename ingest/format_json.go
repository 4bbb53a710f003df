package ingest

import (
	"encoding/json"

	"github.com/recsys/recsys/schemas"
)

// CanonicalJSON is the canonical JSON event of schemas.DecodeEventJSON, or a
// JSON array of them (one record carrying several events: a bad element is
// rejected alone, by its index).
type CanonicalJSON struct{}

// Name implements Format.
func (CanonicalJSON) Name() string { return "json" }

// Detect implements Format: a JSON object or array.
func (CanonicalJSON) Detect(value []byte) bool {
	c, ok := firstNonSpace(value)
	return ok && (c == '{' || c == '[')
}

// Decode implements Format.
func (CanonicalJSON) Decode(value []byte) (Decoded, error) {
	if c, _ := firstNonSpace(value); c != '[' {
		e, err := schemas.DecodeEventJSON(value)
		if err != nil {
			return Decoded{}, Classify(err)
		}
		return Decoded{Events: []schemas.Event{e}}, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(value, &elems); err != nil {
		return Decoded{}, &Error{Class: Malformed, Msg: "not a JSON array of events", Err: err}
	}
	if len(elems) == 0 {
		return Decoded{}, &Error{Class: Malformed, Msg: "empty JSON array"}
	}
	d := Decoded{Positions: make([]int, 0, len(elems))}
	for k, raw := range elems {
		e, err := schemas.DecodeEventJSON(raw)
		if err != nil {
			d.Rejects = append(d.Rejects, Reject{Index: k, Err: Classify(err)})
			continue
		}
		d.Events = append(d.Events, e)
		d.Positions = append(d.Positions, k)
	}
	return d, nil
}

func firstNonSpace(b []byte) (byte, bool) {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, true
	}
	return 0, false
}
