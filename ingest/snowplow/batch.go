package snowplow

import (
	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/schemas"
)

// The rejection vocabulary is shared with the other decoders (ingest/decode).
type (
	// Class says why input was rejected.
	Class = decode.Class
	// Error is a rejection of bad input.
	Error = decode.Error
	// Reject is one bad event inside a record.
	Reject = decode.Reject
	// Alias says that an anonymous id and a logged-in user id belong to one shopper.
	Alias = decode.Alias
)

// The classes of bad input.
const (
	Malformed         = decode.Malformed
	UnsupportedSchema = decode.UnsupportedSchema
	MissingField      = decode.MissingField
	InvalidValue      = decode.InvalidValue
	TooLarge          = decode.TooLarge
)

// Batch is what one record held.
type Batch struct {
	// Events are the interactions, in record order.
	Events []schemas.Event
	// Positions[k] is the position in the record of the tracker event that
	// produced Events[k] (several products of one event share it).
	Positions []int
	// Rejects are the record's bad events.
	Rejects []Reject
	// Ignored counts events that are not interactions.
	Ignored int
	// Aliases are the (anonymous, user) pairs seen, once each.
	Aliases []Alias
}

// Limits bound what one record may hold.
type Limits struct {
	// MaxEvents rejects a POST with more events as too_large. Default: 500.
	MaxEvents int
	// MaxProducts rejects an event with more product entities as too_large.
	// Default: 500.
	MaxProducts int
}

func (l Limits) withDefaults() Limits {
	if l.MaxEvents <= 0 {
		l.MaxEvents = 500
	}
	if l.MaxProducts <= 0 {
		l.MaxProducts = 500
	}
	return l
}

// add records what one tracker event became.
func (b *Batch) add(pos int, h hit, err *Error, lim Limits) {
	if h.alias != (Alias{}) && !hasAlias(b.Aliases, h.alias) {
		b.Aliases = append(b.Aliases, h.alias)
	}
	if err == nil {
		var events []schemas.Event
		var ignored bool
		events, ignored, err = h.events(lim)
		if err == nil && ignored {
			b.Ignored++
			return
		}
		for _, e := range events {
			b.Events = append(b.Events, e)
			b.Positions = append(b.Positions, pos)
		}
	}
	if err != nil {
		b.Rejects = append(b.Rejects, Reject{Index: pos, Err: err})
	}
}

func hasAlias(as []Alias, a Alias) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// clip shortens a quoted value in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
