package schemas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// eventJSONSeeds are inputs worth differencing against the reference:
// realistic events and the corners of the JSON grammar and of encoding/json.
// The nesting limit, which takes inputs too big to fuzz well, is tested in
// TestDecodeEventJSONKeepsEncodingJSONBehaviour.
func eventJSONSeeds() []string {
	return []string{
		`{"event_id":"e-1","user_id":"u-1","session_id":"s-1","type":"add_to_cart","product":"gid://shopify/Product/42","variant":"gid://shopify/ProductVariant/7","quantity":2,"price":19.5,"currency":"EUR","ts":"2026-11-23T10:00:00.123Z"}`,
		`{"event_id":"synth-1","user_id":"user-0042","session_id":"synth-user-0042-3","type":"view","product":"gid://shopify/Product/7281934512345","quantity":1,"price":23.99,"currency":"USD","ts":1795428000123}`,
		"{\n\t\"event_id\" : \"e\" ,\r\n \"ts\" :\t\"2026-11-23T11:00:00+01:00\" \n}\n",
		`{"event_id":"\"\\\/\b\f\n\r\t\u00e9\u20ac\ud83d\ude00\u0000"}`,
		`{"event_id":"\ud83d\ude00","user_id":"\ud83d","product":"\udc00\ud800x","variant":"\ud800\u0041","currency":"\ud800\ud800"}`,
		"{\"user_id\":\"caf\xc3\xa9 \xff\xfe \xed\xa0\x80 \xe2\x80\xa8 \xef\xbf\xbd\"}",
		`{"quantity":3,"quantity":-1,"price":-0,"price":0.5e-3}`,
		`{"quantity":1e2}`, `{"quantity":3.0}`, `{"quantity":9223372036854775807}`, `{"quantity":9223372036854775808}`,
		`{"quantity":-9223372036854775808}`, `{"quantity":-0}`, `{"quantity":"3"}`, `{"quantity":true}`,
		`{"price":"x"}`, `{"price":1e400}`, `{"price":-1e400}`, `{"price":1e-400}`, `{"price":4.9e-324}`,
		`{"price":1.7976931348623157e308}`, `{"price":01}`, `{"price":1.}`, `{"price":.5}`, `{"price":+1}`,
		`{"price":1e}`, `{"price":-}`, `{"price":NaN}`, `{"price":[1]}`,
		`{"event_id":5}`, `{"event_id":{}}`, `{"event_id":[]}`, `{"event_id":false}`, `{"type":"view","type":null}`,
		`{"ts":null}`, `{"ts":"2026-11-23T10:00:00Z","ts":null}`, `{"ts":"yesterday","ts":0}`, `{"ts":true}`,
		`{"ts":1.5}`, `{"ts":1e3}`, `{"ts":-1}`, `{"ts":9223372036854775807}`, `{"ts":9223372036854775808}`,
		`{"ts":{"a":1}}`, `{"ts":[]}`, `{"ts":"2026-11-23T10:00:00"}`, `{"ts":"2026-02-30T10:00:00Z"}`,
		`{"ts":"2026-11-23t10:00:00z"}`, `{"ts":"2026-11-23T10:00:00.123456789123Z"}`, `{"ts":"\u0032026-11-23T10:00:00Z"}`,
		`{"ts":"2026-11-23T10:00:00,5Z"}`, `{"ts":"0000-01-01T00:00:00Z"}`, `{"ts":"2026-11-23T10:00:00-23:59"}`,
		`{"unknown":1,"nested":{"a":[1,{"b":null}],"c":"\u1234"},"arr":[[],{}],"t":true,"f":false,"n":null}`,
		`{"EVENT_ID":"a","Event_Id":"b","user_ID":"c","Ts":"2026-11-23T10:00:00Z","TYPE":"view"}`,
		`{"ſession_id":"long s","\u017fession_id":"escaped long s","\u0074s":0,"ev\u0065nt_id":"x"}`,
		`{"event_id":"a","event_id":"b","event_id":null}`, `{"event_id\u0000":"x"}`, "{\"event_id\xff\":\"x\"}",
		`null`, ` null `, `nul`, `true`, `1`, `"event"`, `[1,2]`, `[]`, `{}`, ` {} `, ``, ` `, `{`, `}`,
		`{"event_id":"e"} x`, `{"event_id":"e"}{}`, `{"event_id":"e"},`, `{"event_id":"e",}`, `{,}`,
		`{"event_id"}`, `{"event_id":}`, `{"event_id" "e"}`, `{"event_id":"e" "user_id":"u"}`, `{event_id:"e"}`,
		`{"event_id":'e'}`, `{"event_id":"e\'"}`, `{"event_id":"\x"}`, `{"event_id":"\u12"}`, `{"event_id":"\u12g4"}`,
		"{\"event_id\":\"tab\there\"}", "{\"event_id\":\"\x1f\"}", "{\"event_id\":\"\x7f\"}", "{\"event_id\":\"e\"}\x00", "\ufeff{}", `{"a":tru}`, `{"a":nulll}`,
		`{"a":[1,]}`, `{"a":[,1]}`, `{"a":{"b"}}`, `{"a":-01}`, `{"a":1.5e+}`, `{"a":1E+5}`,
		`{"event_id":"e","user_id":"u","type":"purchase","product":"p","ts":"2026-11-23T10:00:00.123Z"`,
		`{"event_id":"e","user_id":"u","type":"purchase","product":"p","ts":"2026-11-23T10:00`,
		`{"event_id":"e","user_id":"u","type":"purchase","product":"p","ts":17954280`,
	}
}

// FuzzEventJSON differences DecodeEventJSON, and Event.UnmarshalJSON as
// encoding/json calls it, against the reference implementation; whatever
// decodes must also encode as the reference does and decode back.
func FuzzEventJSON(f *testing.F) {
	for _, s := range eventJSONSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, ok := checkDecodeMatchesReference(t, b)
		checkUnmarshalMatchesReference(t, b)
		if ok {
			checkEncodeMatchesReference(t, e)
		}
	})
}

// checkDecodeMatchesReference fails t unless DecodeEventJSON and the
// reference both reject b, with ErrInvalid, or both decode the same Event.
func checkDecodeMatchesReference(t *testing.T, b []byte) (Event, bool) {
	t.Helper()
	got, err := DecodeEventJSON(b)
	want, wantErr := refDecodeEventJSON(b)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("DecodeEventJSON(%q):\nerr       %v\nreference %v", clip(b), err, wantErr)
	case err != nil && !errors.Is(err, ErrInvalid):
		t.Fatalf("DecodeEventJSON(%q): err = %v, does not wrap ErrInvalid", clip(b), err)
	case got != want:
		t.Fatalf("DecodeEventJSON(%q):\ngot       %#v\nreference %#v", clip(b), got, want)
	}
	return got, err == nil
}

// checkUnmarshalMatchesReference fails t unless json.Unmarshal decodes the
// JSON array of b alike into []Event and into []refEvent.
func checkUnmarshalMatchesReference(t *testing.T, b []byte) {
	t.Helper()
	array := append(append([]byte("["), b...), ']')
	var got []Event
	var want []refEvent
	err, wantErr := json.Unmarshal(array, &got), json.Unmarshal(array, &want)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("json.Unmarshal(%q):\nerr       %v\nreference %v", clip(array), err, wantErr)
	}
	if err != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("json.Unmarshal(%q): %d events, reference %d", array, len(got), len(want))
	}
	for i := range got {
		if got[i] != Event(want[i]) {
			t.Fatalf("json.Unmarshal(%q)[%d]:\ngot       %#v\nreference %#v", array, i, got[i], want[i])
		}
	}
}

// checkEncodeMatchesReference fails t unless EncodeEventJSON, MarshalJSON
// and json.Marshal of an enclosing struct write the reference's bytes or
// its errors, and unless what they write decodes as the reference's does.
func checkEncodeMatchesReference(t *testing.T, e Event) {
	t.Helper()
	got, err := EncodeEventJSON(e)
	want, wantErr := refEncodeEventJSON(e)
	if (err == nil) != (wantErr == nil) || string(got) != string(want) {
		t.Fatalf("EncodeEventJSON(%#v):\ngot       %q, %v\nreference %q, %v", e, got, err, want, wantErr)
	}
	if err != nil {
		if msg := strings.ReplaceAll(wantErr.Error(), "refEvent", "Event"); err.Error() != msg {
			t.Fatalf("EncodeEventJSON(%#v): err = %q, want %q", e, err, msg)
		}
		return
	}
	if m, err := e.MarshalJSON(); err != nil || string(m) != string(got) {
		t.Fatalf("MarshalJSON = %q, %v, want %q", m, err, got)
	}
	nested, err := json.Marshal(struct{ E []Event }{[]Event{e}})
	wantNested, _ := json.Marshal(struct{ E []refEvent }{[]refEvent{refEvent(e)}})
	if err != nil || string(nested) != string(wantNested) {
		t.Fatalf("json.Marshal of an enclosing struct = %q, %v, want %q", nested, err, wantNested)
	}
	checkDecodeMatchesReference(t, got)
	checkRoundTrip(t, e, got)
}

// checkRoundTrip fails t unless b, the encoding of e, decodes to e with
// its time truncated to the millisecond. That holds for strings of valid
// UTF-8 and for years RFC 3339 can write.
func checkRoundTrip(t *testing.T, e Event, b []byte) {
	t.Helper()
	for _, s := range []string{e.EventID, e.UserID, e.SessionID, string(e.Type), e.Product, e.Variant, e.Currency} {
		if !utf8.ValidString(s) {
			return
		}
	}
	if y := e.Time.UTC().Year(); y < 0 || y > 9999 {
		return
	}
	got, err := DecodeEventJSON(b)
	if want := truncateTS(e); err != nil || got != want {
		t.Fatalf("DecodeEventJSON(%q) = %#v, %v\nwant %#v", b, got, err, want)
	}
}

// clip shortens b for a failure message.
func clip(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "..."...)
	}
	return b
}

// truncateTS returns e as the canonical JSON carries it: its time in UTC,
// truncated to the millisecond.
func truncateTS(e Event) Event {
	e.Time = e.Time.UTC()
	e.Time = e.Time.Add(-time.Duration(e.Time.Nanosecond() % int(time.Millisecond)))
	return e
}
