package ingest

import (
	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// Format decodes one raw record value into events. A new input format is one
// file (or a sub-package and an adapter): a type implementing Format, plus
// its line in Formats.
//
// Contract: implementations are safe for concurrent use and keep no state
// between calls. Decode must not retain value. A returned error rejects the
// whole record and must be an *Error with a Class (use Classify for errors of
// the schemas package); a failure of one event inside a multi-event record is
// a Reject in Decoded instead, so the good events of the record still count.
type Format interface {
	// Name identifies the format in Config.Format and in logs.
	Name() string
	// Detect is a cheap sniff of the first bytes for auto-detection; it may
	// say yes to a value Decode then rejects, never the reverse for a value
	// that is valid in this format.
	Detect(value []byte) bool
	// Decode turns value into events.
	Decode(value []byte) (Decoded, error)
}

// Decoded is what a Format made of one record.
type Decoded struct {
	// Events are the interactions the record carried, in record order.
	Events []schemas.Event
	// Positions[k] is the position in the record of Events[k]. Nil means
	// Events[k] is at position k (every single-event format).
	Positions []int
	// Rejects are the events of the record that could not be decoded.
	Rejects []Reject
	// Ignored counts events recognised but not interactions (for example a
	// list view); they are counted, not rejected.
	Ignored int
	// Aliases are the identities the record linked: an anonymous id and a
	// logged-in user id carried by one event (features.Store.Link).
	Aliases []features.Alias
}

// position returns the position in the record of Events[k].
func (d Decoded) position(k int) int {
	if d.Positions == nil {
		return k
	}
	return d.Positions[k]
}

// multi reports whether the record held more than one event, so that a DLQ
// record for one of them must say which (the event_index header).
func (d Decoded) multi() bool { return len(d.Events)+len(d.Rejects)+d.Ignored > 1 }

// DefaultFormats returns the built-in formats in auto-detection order with
// default limits and the embedded Event schema for Confluent Avro: see
// Formats.
func DefaultFormats(c *schemas.Codecs) []Format { return Formats(c, FormatOptions{}) }

func formatNames() []string {
	var names []string
	for _, f := range DefaultFormats(nil) {
		names = append(names, f.Name())
	}
	return names
}

// detect returns the first of formats that recognises value.
func detect(formats []Format, value []byte) (Format, bool) {
	for _, f := range formats {
		if f.Detect(value) {
			return f, true
		}
	}
	return nil, false
}
