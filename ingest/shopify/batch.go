package shopify

import "github.com/recsys/recsys/ingest/decode"

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
type Batch = decode.Batch

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
