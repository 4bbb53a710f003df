package ingest

import (
	"errors"
	"fmt"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/schemas"
)

// Class says why input was rejected: the error_class header of a DLQ record
// and the class label of recsys_ingest_dlq_total. The values and their
// meaning are defined once, in ingest/decode, for every decoder.
type Class = decode.Class

// The classes of bad input (see decode.Class).
const (
	Malformed         = decode.Malformed
	UnsupportedSchema = decode.UnsupportedSchema
	MissingField      = decode.MissingField
	InvalidValue      = decode.InvalidValue
	TooLarge          = decode.TooLarge
)

// classes lists every Class (a function: package state stays immutable).
func classes() []Class {
	return []Class{Malformed, UnsupportedSchema, MissingField, InvalidValue, TooLarge}
}

// Error is a rejection of bad input: permanent, never worth a retry.
// Its text reads like "field user_id: contains whitespace".
type Error struct {
	Class Class
	// Field names the offending field, if one is to blame.
	Field string
	// Msg says what is wrong, in lower case.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Err != nil {
		if msg == "" {
			msg = e.Err.Error()
		} else {
			msg += ": " + e.Err.Error()
		}
	}
	if e.Field != "" {
		return "field " + e.Field + ": " + msg
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Reject is one bad event inside a record.
type Reject struct {
	// Index is the event's position in the record, counting from 0.
	Index int
	Err   *Error
}

func fieldError(class Class, field, msg string) *Error {
	return &Error{Class: class, Field: field, Msg: msg}
}

func missing(field string) *Error { return fieldError(MissingField, field, "missing") }

func invalid(field, format string, args ...any) *Error {
	return fieldError(InvalidValue, field, fmt.Sprintf(format, args...))
}

// Classify turns a decoding error into an *Error, for Format
// implementations: one already classified is kept, schemas.ErrUnsupportedSchema
// becomes UnsupportedSchema and anything else (schemas.ErrInvalid included)
// Malformed.
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, schemas.ErrUnsupportedSchema) {
		return &Error{Class: UnsupportedSchema, Err: err}
	}
	return &Error{Class: Malformed, Err: err}
}
