package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The canonical JSON form of an Event is its struct tags, with "ts" either an
// RFC 3339 string or a number of Unix milliseconds:
//
//	{"event_id":"e1","user_id":"u1","type":"view","product":"gid://shopify/Product/1","ts":"2026-11-23T10:00:00Z"}

// DecodeEventJSON decodes one canonical JSON event. Errors wrap ErrInvalid.
func DecodeEventJSON(b []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return e, nil
}

// EncodeEventJSON encodes e in the canonical JSON form (ts as RFC 3339 with milliseconds).
func EncodeEventJSON(e Event) ([]byte, error) { return json.Marshal(e) }

type eventJSON struct {
	EventID   string          `json:"event_id"`
	UserID    string          `json:"user_id"`
	SessionID string          `json:"session_id,omitempty"`
	Type      EventType       `json:"type"`
	Product   string          `json:"product"`
	Variant   string          `json:"variant,omitempty"`
	Quantity  int             `json:"quantity,omitempty"`
	Price     float64         `json:"price,omitempty"`
	Currency  string          `json:"currency,omitempty"`
	Time      json.RawMessage `json:"ts"`
}

// MarshalJSON writes ts as RFC 3339 UTC with millisecond precision.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{
		EventID: e.EventID, UserID: e.UserID, SessionID: e.SessionID, Type: e.Type, Product: e.Product,
		Variant: e.Variant, Quantity: e.Quantity, Price: e.Price, Currency: e.Currency,
		Time: json.RawMessage(strconv.Quote(e.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"))),
	}
	return json.Marshal(j)
}

// UnmarshalJSON accepts ts as an RFC 3339 string or Unix milliseconds.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, err := parseJSONTime(j.Time)
	if err != nil {
		return fmt.Errorf("field ts: %w", err)
	}
	*e = Event{
		EventID: j.EventID, UserID: j.UserID, SessionID: j.SessionID, Type: j.Type, Product: j.Product,
		Variant: j.Variant, Quantity: j.Quantity, Price: j.Price, Currency: j.Currency, Time: t,
	}
	return nil
}

func parseJSONTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return time.Time{}, nil // missing; validation reports it
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("not an RFC 3339 time: %q", s)
		}
		return t.UTC(), nil
	}
	ms, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not Unix milliseconds: %s", raw)
	}
	return time.UnixMilli(ms).UTC(), nil
}
