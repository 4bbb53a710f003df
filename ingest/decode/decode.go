package decode

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/recsys/recsys/schemas"
)

// Class says why input was rejected. Its values are a contract (the
// error_class header of DLQ records, a metric label): add, never rename.
type Class string

// The classes of bad input.
const (
	// Malformed: the bytes are not a record of any accepted format (not JSON,
	// truncated Avro, a field of the wrong type, an empty value).
	Malformed Class = "malformed"
	// UnsupportedSchema: a well-formed frame naming a schema we cannot read
	// (an unknown single-object fingerprint or Confluent schema id).
	UnsupportedSchema Class = "unsupported_schema"
	// MissingField: a required field is absent or empty.
	MissingField Class = "missing_field"
	// InvalidValue: a field is present but not acceptable (unknown type,
	// whitespace in an id, a timestamp too far in the future or past).
	InvalidValue Class = "invalid_value"
	// TooLarge: the record, or its events or line items, exceed a limit.
	TooLarge Class = "too_large"
)

// Error is a rejection of bad input. Its text names the field and quotes a
// value only where that value cannot be personal data or a secret.
type Error struct {
	Class Class `json:"class"`
	// Field names the offending field or parameter, if one is to blame.
	Field string `json:"field,omitempty"`
	Msg   string `json:"msg"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return "field " + e.Field + ": " + e.Msg
	}
	return e.Msg
}

// Missing reports an absent required field.
func Missing(field string) *Error { return &Error{Class: MissingField, Field: field, Msg: "missing"} }

// Invalid reports a field with an unusable value.
func Invalid(field, msg string) *Error { return &Error{Class: InvalidValue, Field: field, Msg: msg} }

// Bad reports input that is not of the expected shape.
func Bad(field, msg string) *Error { return &Error{Class: Malformed, Field: field, Msg: msg} }

// Reject is one bad event inside a record.
type Reject struct {
	// Index is the event's position in the record, counting from 0.
	Index int    `json:"index"`
	Err   *Error `json:"error"`
}

// Alias says that an anonymous (device) id and a logged-in user id belong to
// one shopper.
type Alias struct {
	Anonymous string `json:"anonymous"`
	User      string `json:"user"`
}

// Batch is what one record of a tracker format held.
type Batch struct {
	// Events are the interactions, in record order.
	Events []schemas.Event
	// Positions[k] is the position in the record of the tracker event that
	// produced Events[k] (several products of one event, or the line items
	// of one checkout, share it).
	Positions []int
	// Rejects are the record's bad events.
	Rejects []Reject
	// Ignored counts events (and items) that are not interactions.
	Ignored int
	// Aliases are the (anonymous, user) pairs seen, once each.
	Aliases []Alias
}

// AddAlias records a, unless it is empty or already recorded.
func (b *Batch) AddAlias(a Alias) {
	if a == (Alias{}) || slices.Contains(b.Aliases, a) {
		return
	}
	b.Aliases = append(b.Aliases, a)
}

// Number reads a JSON number or a string holding one; absent or null is 0.
func Number(field string, raw json.RawMessage) (float64, *Error) {
	if IsNull(raw) {
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' && json.Unmarshal(raw, &s) != nil {
		return 0, Invalid(field, "not a number")
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, Invalid(field, "not a number") // strconv's error would echo the value
	}
	return f, nil
}

// Int reads an integral JSON number or a string holding one; absent is 0.
func Int(field string, raw json.RawMessage) (int, *Error) {
	f, err := Number(field, raw)
	if err != nil {
		return 0, err
	}
	if !(f >= -1e9 && f <= 1e9) || f != float64(int(f)) {
		return 0, Invalid(field, "not an integer")
	}
	return int(f), nil
}

// IsNull reports an absent or null JSON value.
func IsNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}
