package shopify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/schemas"
)

// Decode decodes one pixel event, or a JSON array of them.
func Decode(value []byte, lim Limits) (decode.Batch, error) {
	lim = lim.withDefaults()
	v := bytes.TrimSpace(value)
	if len(v) == 0 {
		return decode.Batch{}, decode.Bad("", "empty value")
	}
	var b decode.Batch
	if v[0] != '[' {
		if v[0] != '{' || !json.Valid(v) {
			return decode.Batch{}, decode.Bad("", "not a JSON object")
		}
		add(&b, 0, v, lim)
		return b, nil
	}
	var events []json.RawMessage
	if err := json.Unmarshal(v, &events); err != nil {
		return decode.Batch{}, decode.Bad("", "not a JSON array of events")
	}
	switch n := len(events); {
	case n == 0:
		return decode.Batch{}, decode.Bad("", "empty JSON array")
	case n > lim.MaxEvents:
		return decode.Batch{}, &decode.Error{Class: decode.TooLarge, Msg: strconv.Itoa(n) + " events exceed the limit of " + strconv.Itoa(lim.MaxEvents)}
	}
	for i, raw := range events {
		add(&b, i, raw, lim)
	}
	return b, nil
}

// envelope is the part of a pixel event common to every event name.
type envelope struct {
	ID         json.RawMessage `json:"id"`
	Name       json.RawMessage `json:"name"`
	Type       json.RawMessage `json:"type"`
	ClientID   json.RawMessage `json:"clientId"`
	Timestamp  json.RawMessage `json:"timestamp"`
	CustomerID json.RawMessage `json:"customerId"`
	Customer   json.RawMessage `json:"customer"`
	Data       json.RawMessage `json:"data"`
}

// pixel is one event's envelope, read.
type pixel struct {
	id, name, typ, clientID, customerID string
	time                                time.Time
	timeErr                             *decode.Error
	data                                json.RawMessage
}

// add records what the event at pos became.
func add(b *decode.Batch, pos int, raw []byte, lim Limits) {
	p, err := readPixel(raw)
	var events []schemas.Event
	var ignored int
	if err == nil {
		events, ignored, err = p.events(lim)
	}
	if err != nil {
		b.Rejects = append(b.Rejects, decode.Reject{Index: pos, Err: err})
		return
	}
	if p.customerID != "" && p.clientID != "" && p.customerID != p.clientID {
		b.AddAlias(decode.Alias{Anonymous: p.clientID, User: p.customerID})
	}
	b.Ignored += ignored
	for _, e := range events {
		b.Events = append(b.Events, e)
		b.Positions = append(b.Positions, pos)
	}
}

func readPixel(raw []byte) (pixel, *decode.Error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return pixel{}, decode.Bad("", "not a pixel event object")
	}
	var p pixel
	var err *decode.Error
	for _, f := range []struct {
		dst   *string
		field string
		raw   json.RawMessage
	}{
		{&p.id, "id", env.ID}, {&p.name, "name", env.Name}, {&p.typ, "type", env.Type},
		{&p.clientID, "clientId", env.ClientID}, {&p.customerID, "customerId", env.CustomerID},
	} {
		if *f.dst, err = jsonID(f.field, f.raw); err != nil {
			return p, err
		}
	}
	if p.customerID == "" && !decode.IsNull(env.Customer) {
		var c struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(env.Customer, &c) != nil {
			return p, decode.Bad("customer", "not an object")
		}
		if p.customerID, err = jsonID("customer.id", c.ID); err != nil {
			return p, err
		}
	}
	p.time, p.timeErr = readTime(env.Timestamp)
	p.data = env.Data
	return p, nil
}

func readTime(raw json.RawMessage) (time.Time, *decode.Error) {
	s, err := jsonString("timestamp", raw)
	switch {
	case err != nil:
		return time.Time{}, err
	case s == "":
		return time.Time{}, decode.Missing("timestamp")
	}
	t, perr := time.Parse(time.RFC3339Nano, s)
	if perr != nil {
		return time.Time{}, decode.Invalid("timestamp", "not an ISO 8601 time: "+strconv.Quote(clip(s)))
	}
	return t.UTC(), nil
}

// clip shortens a quoted value in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
