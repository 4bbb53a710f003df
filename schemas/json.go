package schemas

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// The canonical JSON form of an Event is its struct tags, with "ts" either an
// RFC 3339 string or a number of Unix milliseconds:
//
//	{"event_id":"e1","user_id":"u1","type":"view","product":"gid://shopify/Product/1","ts":"2026-11-23T10:00:00Z"}
//
// The codec is hand-written (json_*.go) because ingest spends most of its
// time here; it reads and writes exactly what encoding/json did with the
// struct tags, which the differential tests and FuzzEventJSON check against
// a copy of the reflection-based implementation (json_reference_test.go).

// DecodeEventJSON decodes one canonical JSON event. Errors wrap ErrInvalid.
// Unknown members are ignored, member names match case-insensitively, the
// last of repeated members wins, and JSON null decodes to the zero Event.
func DecodeEventJSON(b []byte) (Event, error) {
	e, err := decodeEvent(b)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return e, nil
}

// EncodeEventJSON encodes e in the canonical JSON form (ts as RFC 3339 UTC
// with milliseconds). A NaN or infinite Price cannot be encoded.
func EncodeEventJSON(e Event) ([]byte, error) {
	b, err := appendEvent(make([]byte, 0, encodedSize(e)), e)
	if err != nil {
		// As json.Marshal(e) reported it, when it called MarshalJSON.
		return nil, &json.MarshalerError{Type: reflect.TypeFor[Event](), Err: err}
	}
	return b, nil
}

// MarshalJSON writes ts as RFC 3339 UTC with millisecond precision.
func (e Event) MarshalJSON() ([]byte, error) {
	return appendEvent(make([]byte, 0, encodedSize(e)), e)
}

// UnmarshalJSON accepts ts as an RFC 3339 string or Unix milliseconds. It
// decodes as DecodeEventJSON does; on error e is left as it was.
func (e *Event) UnmarshalJSON(b []byte) error {
	v, err := DecodeEventJSON(b)
	if err != nil {
		return err
	}
	*e = v
	return nil
}
