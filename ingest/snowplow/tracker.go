package snowplow

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/ingest/decode"
)

const payloadVendor, payloadName = snowplowVendor, "payload_data"

// DecodeTracker decodes a tracker-protocol record: a payload_data POST body
// (possibly inside a relay envelope's "message"), one event as a JSON object
// of parameters, or one GET query string.
func DecodeTracker(value []byte, lim Limits) (decode.Batch, error) {
	lim = lim.withDefaults()
	v := bytes.TrimSpace(value)
	if len(v) == 0 {
		return decode.Batch{}, decode.Bad("", "empty value")
	}
	if v[0] != '{' {
		return decodeQuery(v, lim)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(v, &top); err != nil {
		return decode.Batch{}, decode.Bad("", "not a JSON object")
	}
	if msg, ok := top["message"]; ok && top["schema"] == nil && top["e"] == nil {
		top = nil
		if err := json.Unmarshal(msg, &top); err != nil || top == nil {
			return decode.Batch{}, decode.Bad("message", "not a JSON object")
		}
		v = msg
	}
	if _, ok := top["schema"]; !ok {
		if _, ok := top["e"]; !ok {
			return decode.Batch{}, decode.Bad("", "neither a payload_data body nor a tracker event")
		}
		var b decode.Batch
		p, err := jsonParams("", v)
		var h hit
		if err == nil {
			h, err = trackerHit(p)
		}
		add(&b, 0, h, err, lim)
		return b, nil
	}
	return decodePayload(top, lim)
}

// decodePayload reads a payload_data body, event by event.
func decodePayload(top map[string]json.RawMessage, lim Limits) (decode.Batch, error) {
	var schema string
	if json.Unmarshal(top["schema"], &schema) != nil {
		return decode.Batch{}, decode.Bad("schema", "not a string")
	}
	if err := checkSchema("schema", schema, payloadVendor, payloadName); err != nil {
		return decode.Batch{}, err
	}
	var events []json.RawMessage
	if decode.IsNull(top["data"]) || json.Unmarshal(top["data"], &events) != nil {
		return decode.Batch{}, decode.Bad("data", "not an array of events")
	}
	switch n := len(events); {
	case n == 0:
		return decode.Batch{}, decode.Missing("data")
	case n > lim.MaxEvents:
		return decode.Batch{}, &decode.Error{Class: decode.TooLarge, Field: "data",
			Msg: strconv.Itoa(n) + " events exceed the limit of " + strconv.Itoa(lim.MaxEvents)}
	}
	var b decode.Batch
	for i, raw := range events {
		p, err := jsonParams("data["+strconv.Itoa(i)+"]", raw)
		var h hit
		if err == nil {
			h, err = trackerHit(p)
		}
		add(&b, i, h, err, lim)
	}
	return b, nil
}

// decodeQuery reads one event sent as a GET query string.
func decodeQuery(v []byte, lim Limits) (decode.Batch, error) {
	s := string(v)
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[i+1:]
	}
	q, err := url.ParseQuery(s)
	if err != nil || q.Get("e") == "" {
		return decode.Batch{}, decode.Bad("", "not a tracker query string")
	}
	params := make(map[string]string, len(q))
	for k, v := range q {
		params[k] = v[0]
	}
	var b decode.Batch
	h, herr := trackerHit(params)
	add(&b, 0, h, herr, lim)
	return b, nil
}

// trackerHit reads one event's parameters.
func trackerHit(p map[string]string) (hit, *decode.Error) {
	var h hit
	h.identify(p["uid"], p["duid"], "uid")
	h.eventID, h.sessionID = p["eid"], p["sid"]
	h.time, h.timeErr = trackerTime(p)
	switch e := p["e"]; e {
	case "":
		return h, decode.Missing("e")
	case "pv":
		h.kind, h.url = pageView, p["url"]
	case "ue":
		return h, h.readTrackerEvent(p)
	case "pp", "se", "tr", "ti", "ad":
		h.kind = other
	default:
		return h, decode.Invalid("e", "unknown event type "+strconv.Quote(clip(e)))
	}
	return h, nil
}

// readTrackerEvent reads ue_pr or ue_px, then co or cx.
func (h *hit) readTrackerEvent(p map[string]string) *decode.Error {
	ue, field := []byte(p["ue_pr"]), "ue_pr"
	if len(ue) == 0 {
		if p["ue_px"] == "" {
			return decode.Missing("ue_pr")
		}
		var err *decode.Error
		if ue, err = decodeBase64("ue_px", p["ue_px"]); err != nil {
			return err
		}
		field = "ue_px"
	}
	if err := h.readEvent(field, ue); err != nil || h.kind != ecommerce {
		return err
	}
	co, field := []byte(p["co"]), "co"
	if len(co) == 0 && p["cx"] != "" {
		var err *decode.Error
		if co, err = decodeBase64("cx", p["cx"]); err != nil {
			return err
		}
		field = "cx"
	}
	if len(co) == 0 {
		h.productsField = "co"
		return nil
	}
	return h.readContexts(field, co)
}

// rawParams are the parameters recsys reads; the others are never parsed.
type rawParams struct {
	E    json.RawMessage `json:"e"`
	EID  json.RawMessage `json:"eid"`
	UID  json.RawMessage `json:"uid"`
	DUID json.RawMessage `json:"duid"`
	SID  json.RawMessage `json:"sid"`
	DTM  json.RawMessage `json:"dtm"`
	TTM  json.RawMessage `json:"ttm"`
	URL  json.RawMessage `json:"url"`
	UEPr json.RawMessage `json:"ue_pr"`
	UEPx json.RawMessage `json:"ue_px"`
	CO   json.RawMessage `json:"co"`
	CX   json.RawMessage `json:"cx"`
}

// jsonParams reads one event given as a JSON object. Values are strings;
// numbers and booleans are read as their text, and co and ue_pr may be
// embedded objects rather than strings holding them.
func jsonParams(field string, b []byte) (map[string]string, *decode.Error) {
	var r rawParams
	if json.Unmarshal(b, &r) != nil || firstByte(b) != '{' {
		return nil, decode.Bad(field, "not a JSON object")
	}
	p := make(map[string]string, 12)
	for _, kv := range []struct {
		key string
		raw json.RawMessage
	}{{"e", r.E}, {"eid", r.EID}, {"uid", r.UID}, {"duid", r.DUID}, {"sid", r.SID}, {"dtm", r.DTM},
		{"ttm", r.TTM}, {"url", r.URL}, {"ue_pr", r.UEPr}, {"ue_px", r.UEPx}, {"co", r.CO}, {"cx", r.CX}} {
		switch c := firstByte(kv.raw); {
		case c == 0 || c == 'n': // absent or null
		case c == '"':
			var s string
			if json.Unmarshal(kv.raw, &s) != nil {
				return nil, decode.Bad(kv.key, "not a JSON string")
			}
			p[kv.key] = s
		case c == '{' && (kv.key == "co" || kv.key == "ue_pr"):
			p[kv.key] = string(kv.raw)
		case c == '{' || c == '[':
			return nil, decode.Invalid(kv.key, "not a string")
		default: // a number or a boolean, as its text
			p[kv.key] = string(kv.raw)
		}
	}
	return p, nil
}

func firstByte(v []byte) byte {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// trackerTime reads dtm, else ttm: Unix milliseconds.
func trackerTime(p map[string]string) (time.Time, *decode.Error) {
	field := "dtm"
	s := p[field]
	if s == "" {
		field, s = "ttm", p["ttm"]
	}
	if s == "" {
		return time.Time{}, decode.Missing("dtm")
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 || ms > 1e14 {
		return time.Time{}, decode.Invalid(field, "not a positive number of Unix milliseconds")
	}
	return time.UnixMilli(ms).UTC(), nil
}
