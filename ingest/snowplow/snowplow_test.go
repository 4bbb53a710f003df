package snowplow_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/ingest/snowplow"
)

func pageView(url string) []byte {
	b, _ := json.Marshal(map[string]string{"e": "pv", "tv": "js-3", "p": "web", "eid": "e1", "duid": "d1", "dtm": "1772449200000", "url": url})
	return b
}

func TestPageViewsOfProductURLsAreProductViews(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url       string
		handle, variant string // "" handle: not a product page
	}{
		{name: "a product page", url: "https://shop.example/products/red-hat", handle: "red-hat"},
		{name: "a trailing slash", url: "https://shop.example/products/red-hat/", handle: "red-hat"},
		{name: "a variant query", url: "https://shop.example/products/red-hat?variant=42&utm_source=x", handle: "red-hat", variant: "42"},
		{name: "a locale prefix", url: "https://shop.example/en-us/products/red-hat", handle: "red-hat"},
		{name: "a language prefix", url: "https://shop.example/fr/products/red-hat?variant=7#top", handle: "red-hat", variant: "7"},
		{name: "a collection path", url: "https://shop.example/collections/hats/products/red-hat", handle: "red-hat"},
		{name: "a locale and a collection", url: "https://shop.example/pt-br/collections/all/products/red-hat", handle: "red-hat"},
		{name: "a numeric region", url: "https://shop.example/es-419/products/red-hat", handle: "red-hat"},
		{name: "upper case", url: "https://shop.example/products/Red-Hat", handle: "red-hat"},
		{name: "percent-encoded unicode", url: "https://shop.example/de/products/m%C3%BCtze", handle: "mütze"},
		{name: "a relative URL", url: "/products/red-hat", handle: "red-hat"},
		{name: "a non-numeric variant is dropped", url: "https://shop.example/products/red-hat?variant=blue", handle: "red-hat"},
		{name: "a collection page", url: "https://shop.example/collections/hats"},
		{name: "the products index", url: "https://shop.example/products"},
		{name: "a sub-page of a product", url: "https://shop.example/products/red-hat/reviews"},
		{name: "two prefixes that are not a locale", url: "https://shop.example/blog/news/products/red-hat"},
		{name: "the home page", url: "https://shop.example/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := snowplow.DecodeTracker(pageView(c.url), snowplow.Limits{})
			if err != nil || len(b.Rejects) > 0 {
				t.Fatalf("DecodeTracker: %+v, %v", b, err)
			}
			if c.handle == "" {
				if len(b.Events) != 0 || b.Ignored != 1 {
					t.Fatalf("a non-product page gave %+v, want it ignored", b)
				}
				return
			}
			if len(b.Events) != 1 || b.Events[0].Product != "handle:"+c.handle || b.Events[0].Variant != c.variant {
				t.Fatalf("got %+v, want handle %q variant %q", b.Events, c.handle, c.variant)
			}
		})
	}
}

func TestMalformedTrackerRecordsAreRejectedWhole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value string
		class       decode.Class
	}{
		{name: "empty", value: " ", class: decode.Malformed},
		{name: "truncated JSON", value: `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e"`, class: decode.Malformed},
		{name: "an object of neither shape", value: `{"foo":"bar"}`, class: decode.Malformed},
		{name: "another schema", value: `{"schema":"iglu:com.acme/payload/jsonschema/1-0-0","data":[]}`, class: decode.UnsupportedSchema},
		{name: "payload_data model 2", value: `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/2-0-0","data":[]}`, class: decode.UnsupportedSchema},
		{name: "an empty data array", value: `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[]}`, class: decode.MissingField},
		{name: "data not an array", value: `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":{}}`, class: decode.Malformed},
		{name: "a query string without e", value: `tv=js&p=web`, class: decode.Malformed},
		{name: "a relay envelope holding no object", value: `{"message":"x"}`, class: decode.Malformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := snowplow.DecodeTracker([]byte(c.value), snowplow.Limits{})
			var e *decode.Error
			if err == nil || !asError(err, &e) || e.Class != c.class {
				t.Fatalf("DecodeTracker = %v, want class %s", err, c.class)
			}
		})
	}
}

func asError(err error, e **decode.Error) bool {
	se, ok := err.(*decode.Error)
	*e = se
	return ok
}

func TestLimitsBoundEventsPerPostAndProductsPerEvent(t *testing.T) {
	t.Parallel()
	events := make([]json.RawMessage, 4)
	for i := range events {
		events[i] = pageView("https://shop.example/products/p" + strconv.Itoa(i))
	}
	post, _ := json.Marshal(map[string]any{"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": events})
	if _, err := snowplow.DecodeTracker(post, snowplow.Limits{MaxEvents: 3}); err == nil || err.(*decode.Error).Class != decode.TooLarge {
		t.Errorf("4 events with a limit of 3: %v, want too_large", err)
	}
	if b, err := snowplow.DecodeTracker(post, snowplow.Limits{MaxEvents: 4}); err != nil || len(b.Events) != 4 {
		t.Errorf("4 events with a limit of 4: %+v, %v", b, err)
	}
	var products []string
	for i := range 3 {
		products = append(products, `{"schema":"iglu:com.snowplowanalytics.snowplow.ecommerce/product/jsonschema/1-0-0","data":{"id":"`+strconv.Itoa(i+1)+`","category":"c","price":1,"currency":"USD"}}`)
	}
	ev, _ := json.Marshal(map[string]string{"e": "ue", "tv": "js", "p": "web", "uid": "u", "dtm": "1772449200000",
		"ue_pr": `{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":{"schema":"iglu:com.snowplowanalytics.snowplow.ecommerce/snowplow_ecommerce_action/jsonschema/1-0-2","data":{"type":"transaction"}}}`,
		"co":    `{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1","data":[` + strings.Join(products, ",") + `]}`})
	b, err := snowplow.DecodeTracker(ev, snowplow.Limits{MaxProducts: 2})
	if err != nil || len(b.Rejects) != 1 || b.Rejects[0].Err.Class != decode.TooLarge {
		t.Errorf("3 products with a limit of 2: %+v, %v; want one too_large reject", b, err)
	}
	if b, err := snowplow.DecodeTracker(ev, snowplow.Limits{MaxProducts: 3}); err != nil || len(b.Events) != 3 || b.Events[2].EventID != "" {
		t.Errorf("3 products with a limit of 3: %+v, %v", b, err)
	}
}

func TestParametersSentAsNumbersAreReadAsTheirText(t *testing.T) {
	t.Parallel()
	v := []byte(`{"e":"pv","tv":"js","p":"web","uid":1042,"dtm":1772449200000,"url":"https://shop.example/products/x"}`)
	b, err := snowplow.DecodeTracker(v, snowplow.Limits{})
	if err != nil || len(b.Events) != 1 || b.Events[0].UserID != "1042" || b.Events[0].Time.UnixMilli() != 1772449200000 {
		t.Fatalf("got %+v, %v", b, err)
	}
	v = []byte(`{"e":"pv","tv":"js","p":"web","uid":{"id":1},"dtm":"1772449200000"}`)
	if b, err := snowplow.DecodeTracker(v, snowplow.Limits{}); err != nil || len(b.Rejects) != 1 || b.Rejects[0].Err.Class != decode.InvalidValue {
		t.Fatalf("an object as uid: %+v, %v; want an invalid_value reject", b, err)
	}
}

func TestARelayEnvelopeIsUnwrappedWithoutItsOwnKeys(t *testing.T) {
	t.Parallel()
	v := []byte(`{"_w":true,"metadata":{"k":"v"},"message":{"e":"pv","tv":"js","p":"web","duid":"d","dtm":"1772449200000","url":"/products/x"}}`)
	b, err := snowplow.DecodeTracker(v, snowplow.Limits{})
	if err != nil || len(b.Events) != 1 || len(b.Rejects) != 0 {
		t.Fatalf("got %+v, %v; want one view", b, err)
	}
}

func BenchmarkDecodeTrackerPost(b *testing.B) {
	v, err := os.ReadFile("testdata/tracker/post_batched.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		if _, err := snowplow.DecodeTracker(v, snowplow.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
