package snowplow

import (
	"github.com/recsys/recsys/schemas"
)

// Class says why input was rejected. The values are spelled as ingest's
// error classes, which ingest converts them to by value.
type Class string

// The classes of bad input.
const (
	Malformed         Class = "malformed"
	UnsupportedSchema Class = "unsupported_schema"
	MissingField      Class = "missing_field"
	InvalidValue      Class = "invalid_value"
	TooLarge          Class = "too_large"
)

// Error is a rejection of bad input. Its text names the field and what is
// wrong with it, and quotes a value only where that value cannot be
// personal data or a secret (an event code, a schema URI, a product id).
type Error struct {
	Class Class `json:"class"`
	// Field names the offending parameter or entity field, if one is to blame.
	Field string `json:"field,omitempty"`
	Msg   string `json:"msg"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return "field " + e.Field + ": " + e.Msg
	}
	return e.Msg
}

// Reject is one bad event inside a record.
type Reject struct {
	// Index is the event's position in the record, counting from 0.
	Index int    `json:"index"`
	Err   *Error `json:"error"`
}

// Alias says that an anonymous (device) id and a logged-in user id belong
// to one shopper: an event carried both duid and uid.
type Alias struct {
	Anonymous string `json:"anonymous"`
	User      string `json:"user"`
}

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

func missing(field string) *Error { return &Error{Class: MissingField, Field: field, Msg: "missing"} }

func invalid(field, msg string) *Error { return &Error{Class: InvalidValue, Field: field, Msg: msg} }

func malformed(field, msg string) *Error { return &Error{Class: Malformed, Field: field, Msg: msg} }

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
