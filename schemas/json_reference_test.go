package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// This file keeps the encoding/json based codec that the hand-written one
// replaced, unchanged but for names: it is the reference the differential
// tests and the "impl=reference" benchmarks run against.

// refEvent is an Event with the reference (Un)MarshalJSON methods.
type refEvent Event

type refEventJSON struct {
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

// refDecodeEventJSON is the reference DecodeEventJSON.
func refDecodeEventJSON(b []byte) (Event, error) {
	var e refEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return Event(e), nil
}

// refEncodeEventJSON is the reference EncodeEventJSON.
func refEncodeEventJSON(e Event) ([]byte, error) { return json.Marshal(refEvent(e)) }

// MarshalJSON is the reference Event.MarshalJSON.
func (e refEvent) MarshalJSON() ([]byte, error) {
	j := refEventJSON{
		EventID: e.EventID, UserID: e.UserID, SessionID: e.SessionID, Type: e.Type, Product: e.Product,
		Variant: e.Variant, Quantity: e.Quantity, Price: e.Price, Currency: e.Currency,
		Time: json.RawMessage(strconv.Quote(e.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"))),
	}
	return json.Marshal(j)
}

// UnmarshalJSON is the reference Event.UnmarshalJSON.
func (e *refEvent) UnmarshalJSON(b []byte) error {
	var j refEventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, err := refParseJSONTime(j.Time)
	if err != nil {
		return fmt.Errorf("field ts: %w", err)
	}
	*e = refEvent{
		EventID: j.EventID, UserID: j.UserID, SessionID: j.SessionID, Type: j.Type, Product: j.Product,
		Variant: j.Variant, Quantity: j.Quantity, Price: j.Price, Currency: j.Currency, Time: t,
	}
	return nil
}

func refParseJSONTime(raw json.RawMessage) (time.Time, error) {
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
