package schemas

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

var when = time.Date(2026, 11, 23, 10, 0, 0, 123e6, time.UTC)

func sampleEvent() Event {
	return Event{EventID: "e-1", UserID: "u-1", SessionID: "s-1", Type: AddToCart,
		Product: "gid://shopify/Product/42", Variant: "gid://shopify/ProductVariant/7",
		Quantity: 2, Price: 19.5, Currency: "EUR", Time: when}
}

func sampleInteraction() Interaction {
	return Interaction{EventID: "e-1", UserID: "u-1", SessionID: "s-1", Type: Purchase,
		ProductGID: "gid://shopify/Product/42", Quantity: 1, Price: 10, Currency: "USD", Time: when,
		Source: Offset{Topic: "clickstream.events", Partition: 3, Offset: 99}}
}

func sampleRecommendation() Recommendation {
	return Recommendation{UserID: "u-1", RecommendationID: "r-1", ModelVersion: "v3", Reason: ReasonPersonalized,
		Items:       []ScoredItem{{"gid://shopify/Product/1", 0.9}, {"gid://shopify/Product/2", 0.5}},
		GeneratedAt: when, Trigger: Trigger{EventID: "e-1", Offset: Offset{"recsys.interactions", 1, 5}}}
}

func sampleModelUpdate() ModelUpdate {
	return ModelUpdate{Name: "default", Version: "v3", TrainedAt: when, WindowStart: when.Add(-time.Hour),
		WindowEnd: when, Offsets: []PartitionRange{{"recsys.interactions", 0, 0, 100}},
		Metrics: map[string]float64{"hr@10": 0.25}, Location: "recsys:model:default:v3", PreviousVersion: "v2"}
}

func TestRecordsRoundTripThroughAvro(t *testing.T) {
	c, err := NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, want, got any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s round trip:\nwant %+v\ngot  %+v", name, want, got)
		}
	}
	e := sampleEvent()
	b, _ := c.EncodeEvent(e)
	got, err := c.DecodeEvent(b)
	check("Event", e, got, err)
	b, _ = c.EncodeEventConfluent(e, 12)
	if id, ok := ConfluentSchemaID(b); !ok || id != 12 {
		t.Fatalf("schema id = %d, %v", id, ok)
	}
	got, err = c.DecodeEventBinary(b[5:])
	check("Event (Confluent)", e, got, err)
	i := sampleInteraction()
	b, _ = c.EncodeInteraction(i)
	gotI, err := c.DecodeInteraction(b)
	check("Interaction", i, gotI, err)
	r := sampleRecommendation()
	b, _ = c.EncodeRecommendation(r)
	gotR, err := c.DecodeRecommendation(b)
	check("Recommendation", r, gotR, err)
	u := sampleModelUpdate()
	b, _ = c.EncodeModelUpdate(u)
	gotU, err := c.DecodeModelUpdate(b)
	check("ModelUpdate", u, gotU, err)
	p := Product{GID: "gid://shopify/Product/1", Handle: "mug", Title: "Mug", Category: "kitchen", Price: 9, Available: true}
	b, _ = c.EncodeProduct(p)
	gotP, err := c.DecodeProduct(b)
	check("Product", p, gotP, err)
}

// TestWireBytesMatchGolden catches schema drift: a change to an .avsc file or
// to the native mapping changes these bytes. Run with -update to accept.
func TestWireBytesMatchGolden(t *testing.T) {
	c, err := NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() ([]byte, error){
		"event.bin":          func() ([]byte, error) { return c.EncodeEvent(sampleEvent()) },
		"interaction.bin":    func() ([]byte, error) { return c.EncodeInteraction(sampleInteraction()) },
		"recommendation.bin": func() ([]byte, error) { return c.EncodeRecommendation(sampleRecommendation()) },
		"model_update.bin":   func() ([]byte, error) { return c.EncodeModelUpdate(sampleModelUpdate()) },
		"event.json":         func() ([]byte, error) { return EncodeEventJSON(sampleEvent()) },
	}
	for name, encode := range cases {
		got, err := encode()
		if err != nil {
			t.Fatal(name, err)
		}
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./schemas -update to create)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: wire bytes drifted from golden file:\nwant %x\ngot  %x", name, want, got)
		}
	}
}

func TestDecodingGarbageIsClassified(t *testing.T) {
	c, _ := NewCodecs()
	interaction, _ := c.EncodeInteraction(sampleInteraction())
	cases := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty bytes are invalid", nil, ErrInvalid},
		{"JSON is not single-object Avro", []byte(`{"a":1}`), ErrInvalid},
		{"another schema's fingerprint is unsupported", interaction, ErrUnsupportedSchema},
		{"a truncated interaction still names another schema", interaction[:len(interaction)-3], ErrUnsupportedSchema},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.DecodeEvent(tc.input)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	ev, _ := c.EncodeEvent(sampleEvent())
	if _, err := c.DecodeEvent(ev[:len(ev)-3]); !errors.Is(err, ErrInvalid) {
		t.Fatalf("truncated event: err = %v, want ErrInvalid", err)
	}
}

func TestCanonicalJSONAcceptsBothTimeForms(t *testing.T) {
	for _, in := range []string{
		`{"event_id":"e","user_id":"u","type":"view","product":"1","ts":"2026-11-23T10:00:00.123Z"}`,
		`{"event_id":"e","user_id":"u","type":"view","product":"1","ts":1795428000123}`,
	} {
		e, err := DecodeEventJSON([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if !e.Time.Equal(when) {
			t.Fatalf("%s: ts = %v, want %v", in, e.Time, when)
		}
	}
	for _, bad := range []string{`{"ts":"yesterday"}`, `{"ts":true}`, `[1,2]`, `{"quantity":"two"}`} {
		if _, err := DecodeEventJSON([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestGIDs(t *testing.T) {
	if g := ProductGID(42); g != "gid://shopify/Product/42" {
		t.Fatal(g)
	}
	for in, ok := range map[string]bool{
		"gid://shopify/Product/42": true, "gid://shopify/Product/": false, "gid://shopify/Product/x": false,
		"gid://shopify/ProductVariant/4": false, "42": false, "gid://shopify/Product/0": false,
	} {
		if _, got := ParseProductGID(in); got != ok {
			t.Errorf("ParseProductGID(%q) ok = %v, want %v", in, got, ok)
		}
	}
}
