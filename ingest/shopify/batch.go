package shopify

import (
	"github.com/recsys/recsys/schemas"
)

// Class says why input was rejected. The values are spelled as ingest's
// error classes, which ingest converts them to by value.
type Class string

// The classes of bad input.
const (
	Malformed    Class = "malformed"
	MissingField Class = "missing_field"
	InvalidValue Class = "invalid_value"
	TooLarge     Class = "too_large"
)

// Error is a rejection of bad input. Its text names the field and quotes a
// value only where it cannot be personal data (an event name, a time).
type Error struct {
	Class Class `json:"class"`
	// Field is the JSON path of the offending field, if one is to blame.
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

// Alias says that a clientId and a customer id belong to one shopper.
type Alias struct {
	Anonymous string `json:"anonymous"`
	User      string `json:"user"`
}

// Batch is what one record held.
type Batch struct {
	// Events are the interactions, in record order.
	Events []schemas.Event
	// Positions[k] is the position in the record of the pixel event that
	// produced Events[k] (the line items of a checkout share it).
	Positions []int
	// Rejects are the record's bad events.
	Rejects []Reject
	// Ignored counts events (and variant-less line items) that are not
	// interactions.
	Ignored int
	// Aliases are the (clientId, customer id) pairs seen, once each.
	Aliases []Alias
}

// Limits bound what one record may hold.
type Limits struct {
	// MaxEvents rejects a JSON array of more events as too_large. Default: 500.
	MaxEvents int
	// MaxLineItems rejects a checkout with more line items as too_large.
	// Default: 500.
	MaxLineItems int
}

func (l Limits) withDefaults() Limits {
	if l.MaxEvents <= 0 {
		l.MaxEvents = 500
	}
	if l.MaxLineItems <= 0 {
		l.MaxLineItems = 500
	}
	return l
}

func missing(field string) *Error { return &Error{Class: MissingField, Field: field, Msg: "missing"} }

func invalid(field, msg string) *Error { return &Error{Class: InvalidValue, Field: field, Msg: msg} }

func malformed(field, msg string) *Error { return &Error{Class: Malformed, Field: field, Msg: msg} }

func (b *Batch) alias(a Alias) {
	if a == (Alias{}) {
		return
	}
	for _, x := range b.Aliases {
		if x == a {
			return
		}
	}
	b.Aliases = append(b.Aliases, a)
}
