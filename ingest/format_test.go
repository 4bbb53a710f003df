package ingest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

// TestEveryFormatKeepsTheFormatContract is the suite a new Format must pass:
// it detects and decodes its own encoding of an event, rejects garbage with
// a classified *Error, and no earlier format in detection order claims it.
func TestEveryFormatKeepsTheFormatContract(t *testing.T) {
	t.Parallel()
	codecs, err := schemas.NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	e := schemas.Event{EventID: "e1", UserID: "u1", SessionID: "s1", Type: schemas.Purchase, Product: "7",
		Variant: "8", Quantity: 2, Price: 3.5, Currency: "USD", Time: time.UnixMilli(1772449200123).UTC()}
	jsonValue, _ := schemas.EncodeEventJSON(e)
	avroValue, _ := codecs.EncodeEvent(e)
	confluentValue, _ := codecs.EncodeEventConfluent(e, 3)
	samples := map[string][]byte{"json": jsonValue, "avro": avroValue, "confluent-avro": confluentValue,
		"snowplow": snowplowSample(t, e), "snowplow-enriched": enrichedSample(t, e), "shopify": shopifySample(t, e)}
	wants := map[string]schemas.Event{"shopify": withoutSession(e)} // Web Pixels have no session
	formats := ingest.DefaultFormats(codecs)
	for k, f := range formats {
		t.Run(f.Name(), func(t *testing.T) {
			sample, ok := samples[f.Name()]
			if !ok {
				t.Fatalf("no sample for format %s: add one to this suite", f.Name())
			}
			if !f.Detect(sample) {
				t.Error("does not detect its own encoding")
			}
			for _, earlier := range formats[:k] {
				if earlier.Detect(sample) {
					t.Errorf("%s, earlier in detection order, claims this format's records", earlier.Name())
				}
			}
			want, ok := wants[f.Name()]
			if !ok {
				want = e
			}
			d, err := f.Decode(sample)
			if err != nil || len(d.Events) != 1 || d.Events[0] != want {
				t.Errorf("Decode = %+v, %v; want %+v", d, err, want)
			}
			garbage := append(sample[:len(sample)/2:len(sample)/2], 0xff, 0xfe)
			var ie *ingest.Error
			if _, err := f.Decode(garbage); !errors.As(err, &ie) || ie.Class == "" {
				t.Errorf("Decode(garbage) = %v, want a classified *ingest.Error", err)
			}
		})
	}
}
