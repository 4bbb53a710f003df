package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

// detected names the format auto-detection picks for v ("" for none).
func detected(v []byte) string {
	for _, f := range ingest.DefaultFormats(nil) {
		if f.Detect(v) {
			return f.Name()
		}
	}
	return ""
}

func TestFormatsAreDetectedByTheirTopLevelKeysOnly(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, value, want string }{
		{"a payload_data body", `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[]}`, "snowplow"},
		{"a payload_data body, data first", `{"data":[{"e":"pv"}], "schema" : "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"}`, "snowplow"},
		{"one tracker event", `{"e":"pv","tv":"js-3","url":"/products/x"}`, "snowplow"},
		{"a relay envelope", `{"_w":true,"metadata":{"clientId":"x"},"message":{"e":"pv","tv":"js"}}`, "snowplow"},
		{"a query string", `/i?stm=1&e=pv&tv=js`, "snowplow"},
		{"an enriched event", `{"app_id":"a","collector_tstamp":"2026-03-02T11:00:00Z","event":"page_view"}`, "snowplow-enriched"},
		{"an enriched event without collector time", `{"event_id":"e","domain_userid":"d"}`, "snowplow-enriched"},
		{"a pixel event", `{"id":"x","name":"product_viewed","clientId":"c"}`, "shopify"},
		{"a relayed batch of pixel events", ` [ {"id":"x","clientId":"c"} ]`, "shopify"},
		{"a pixel custom event whose payload has e and tv", `{"name":"x","type":"custom","clientId":"c","customData":{"e":"pv","tv":"1","collector_tstamp":1}}`, "shopify"},
		{"a canonical event whose product is named payload_data", `{"event_id":"e","user_id":"u","type":"view","product":"/payload_data/jsonschema/","ts":1}`, "json"},
		{"a canonical event with a nested clientId", `{"event_id":"e","user_id":"u","x":{"clientId":"c"},"type":"view","product":"1","ts":1}`, "json"},
		{"a key inside a string value", `{"user_id":"\"e\":1,\"tv\":2","event_id":"e"}`, "json"},
		{"a truncated tracker event", `{"e":"pv","t`, "json"},
		{"a form feed alone (a fuzz crasher)", "\f", ""},
		{"a tracker event after a vertical tab", "\v{\"e\":\"pv\",\"tv\":\"js\"}", "snowplow"},
	}
	for _, c := range cases {
		if got := detected([]byte(c.value)); got != c.want {
			t.Errorf("%s: detected as %q, want %q", c.name, got, c.want)
		}
	}
}

func TestEveryTestInputIsDetectedAsItsFormat(t *testing.T) {
	t.Parallel()
	for glob, want := range map[string]string{"snowplow/testdata/tracker/*.*": "snowplow",
		"snowplow/testdata/enriched/*.json": "snowplow-enriched", "shopify/testdata/*.json": "shopify"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if strings.HasSuffix(p, ".golden") {
				continue
			}
			v, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := detected(v); got != want {
				t.Errorf("%s: detected as %q, want %q", p, got, want)
			}
		}
	}
	e := schemas.Event{EventID: "e", UserID: "u", Type: schemas.View, Product: "1", Time: t0}
	if got := detected(snowplowSample(t, e)); got != "snowplow" {
		t.Errorf("the sample POST: %q", got)
	}
}
