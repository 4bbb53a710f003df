package schemas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestDecodeEventJSONKeepsEncodingJSONBehaviour pins down, with explicit
// results, the encoding/json behaviour that the hand-written decoder keeps;
// each case is also differenced against the reference.
func TestDecodeEventJSONKeepsEncodingJSONBehaviour(t *testing.T) {
	ts := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		in   string
		want Event // ignored when wantErr
		fail bool
	}{
		{"a key in another case names its field", `{"EVENT_ID":"a","User_Id":"u"}`, Event{EventID: "a", UserID: "u"}, false},
		{"a long s folds to s as in Unicode", `{"ſession_id":"s","\u017fession_id":"t"}`, Event{SessionID: "t"}, false},
		{"an escaped key names its field", `{"\u0074\u0073":"2026-11-23T10:00:00Z"}`, Event{Time: ts}, false},
		{"unknown members are skipped whatever they hold", `{"x":{"y":[1,"\"",{}]},"type":"view"}`, Event{Type: View}, false},
		{"the last of repeated members wins", `{"type":"view","TYPE":"purchase"}`, Event{Type: Purchase}, false},
		{"null leaves a field as it was", `{"user_id":"u","user_id":null,"quantity":2,"quantity":null}`, Event{UserID: "u", Quantity: 2}, false},
		{"a null ts after a time means no time", `{"ts":"2026-11-23T10:00:00Z","ts":null}`, Event{}, false},
		{"a bad ts before a good one is forgotten", `{"ts":"yesterday","ts":true,"ts":1795428000000}`, Event{Time: ts}, false},
		{"a ts with an offset is converted to UTC", `{"ts":"2026-11-23T11:30:00+01:30"}`, Event{Time: ts}, false},
		{"escapes are decoded", `{"product":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, Event{Product: "\"\\/\b\f\n\r\té😀"}, false},
		{"an unpaired surrogate becomes U+FFFD", `{"product":"\ud800\u0041\udc00"}`, Event{Product: "\ufffdA\ufffd"}, false},
		{"invalid UTF-8 becomes U+FFFD", "{\"product\":\"a\xffb\xed\xa0\x80\"}", Event{Product: "a\ufffdb\ufffd\ufffd\ufffd"}, false},
		{"whitespace may surround every token", " \t\r\n{ \"price\" :\n 1.5 ,\"quantity\":-0 } \n", Event{Price: 1.5}, false},
		{"a price that underflows is zero", `{"price":1e-400}`, Event{}, false},
		{"null is the zero event", ` null `, Event{}, false},
		{"an empty object is the zero event", `{}`, Event{}, false},
		{"nesting 10000 deep is allowed", `{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`, Event{}, false},
		{"nesting 10001 deep is rejected", `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, Event{}, true},
		{"objects nested 10000 deep are allowed", `{"a":` + strings.Repeat(`{"b":`, 9999) + "1" + strings.Repeat("}", 9999) + `}`, Event{}, false},
		{"objects nested 10001 deep are rejected", `{"a":` + strings.Repeat(`{"b":`, 10000) + "1" + strings.Repeat("}", 10000) + `}`, Event{}, true},
		{"a ts nested 10001 deep is rejected", `{"ts":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, Event{}, true},
		{"a top-level array nested 10001 deep is rejected", strings.Repeat("[", 10001) + strings.Repeat("]", 10001), Event{}, true},
		{"a quantity with an exponent is rejected", `{"quantity":1e2}`, Event{}, true},
		{"a quantity with a fraction is rejected", `{"quantity":3.0}`, Event{}, true},
		{"a quantity beyond int is rejected", `{"quantity":9223372036854775808}`, Event{}, true},
		{"a quantity in a string is rejected", `{"quantity":"3"}`, Event{}, true},
		{"a price in a string is rejected", `{"price":"x"}`, Event{}, true},
		{"a price beyond float64 is rejected", `{"price":1e400}`, Event{}, true},
		{"a number where a string belongs is rejected", `{"event_id":5}`, Event{}, true},
		{"a type error is not forgiven by a later good value", `{"quantity":"3","quantity":3}`, Event{}, true},
		{"a ts with a fraction of a millisecond count is rejected", `{"ts":1.5}`, Event{}, true},
		{"a ts that is not RFC 3339 is rejected", `{"ts":"2026-11-23 10:00:00Z"}`, Event{}, true},
		{"trailing data is rejected", `{"type":"view"} {}`, Event{}, true},
		{"a truncated object is rejected", `{"type":"view"`, Event{}, true},
		{"a trailing comma is rejected", `{"type":"view",}`, Event{}, true},
		{"a leading zero is rejected", `{"x":01}`, Event{}, true},
		{"an invalid escape is rejected", `{"x":"\a"}`, Event{}, true},
		{"a raw control character in a string is rejected", "{\"x\":\"\x01\"}", Event{}, true},
		{"an array is rejected", `[{"type":"view"}]`, Event{}, true},
		{"empty input is rejected", ``, Event{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeEventJSON([]byte(tc.in))
			switch {
			case tc.fail && !errors.Is(err, ErrInvalid):
				t.Fatalf("err = %v, want ErrInvalid", err)
			case !tc.fail && (err != nil || got != tc.want):
				t.Fatalf("got %#v, %v\nwant %#v", got, err, tc.want)
			}
			checkDecodeMatchesReference(t, []byte(tc.in))
		})
	}
}

func TestEveryFieldNameNamesItsField(t *testing.T) {
	for f := range numEventFields {
		if got := fieldOf([]byte(f.name())); got != f {
			t.Errorf("fieldOf(%q) = %d, want %d", f.name(), got, f)
		}
		if got := fieldOf([]byte(strings.ToUpper(f.name()))); got != f {
			t.Errorf("fieldOf(%q) = %d, want %d", strings.ToUpper(f.name()), got, f)
		}
	}
	if got := fieldOf([]byte("event-id")); got != fieldUnknown {
		t.Errorf("fieldOf(event-id) = %d, want fieldUnknown", got)
	}
}

func TestUnmarshalJSONLeavesTheEventAsItWasOnErrorAndZeroesItOnNull(t *testing.T) {
	e, ref := synthEvent(), refEvent(synthEvent())
	err, refErr := json.Unmarshal([]byte(`{"quantity":"3"}`), &e), json.Unmarshal([]byte(`{"quantity":"3"}`), &ref)
	if !errors.Is(err, ErrInvalid) || refErr == nil || e != synthEvent() || Event(ref) != synthEvent() {
		t.Fatalf("err = %v (reference %v), event = %#v", err, refErr, e)
	}
	err, refErr = json.Unmarshal([]byte(`null`), &e), json.Unmarshal([]byte(`null`), &ref)
	if err != nil || refErr != nil || e != (Event{}) || Event(ref) != (Event{}) {
		t.Fatalf("json.Unmarshal(null) = %v (reference %v), event = %#v; want the zero event", err, refErr, e)
	}
}

func TestDecodingASynthEventAllocatesOnce(t *testing.T) {
	value, _ := EncodeEventJSON(synthEvent())
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := DecodeEventJSON(value); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("%v allocations per decode, want 1", allocs)
	}
}
