package ingest_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	src := schemas.Offset{Topic: "in", Partition: 1, Offset: 7}
	base := schemas.Event{EventID: "e", UserID: "u", Type: schemas.View, Product: "1", Time: t0.Add(-time.Minute)}
	with := func(f func(*schemas.Event)) schemas.Event { e := base; f(&e); return e }
	cases := []struct {
		name  string
		event schemas.Event
		check func(schemas.Interaction) bool
		class ingest.Class
	}{
		{name: "a numeric product becomes its GID", event: base,
			check: func(in schemas.Interaction) bool { return in.ProductGID == schemas.ProductGID(1) && in.Source == src }},
		{name: "a product GID is kept", event: with(func(e *schemas.Event) { e.Product = schemas.ProductGID(9) }),
			check: func(in schemas.Interaction) bool { return in.ProductGID == schemas.ProductGID(9) }},
		{name: "a handle is kept for the catalog to resolve", event: with(func(e *schemas.Event) { e.Product = "red-hat" }),
			check: func(in schemas.Interaction) bool { return in.ProductGID == "handle:red-hat" }},
		{name: "a numeric variant becomes its GID", event: with(func(e *schemas.Event) { e.Variant = "42" }),
			check: func(in schemas.Interaction) bool { return in.VariantGID == schemas.VariantGID(42) }},
		{name: "an unset quantity is 1", event: base,
			check: func(in schemas.Interaction) bool { return in.Quantity == 1 }},
		{name: "a currency is upper-cased", event: with(func(e *schemas.Event) { e.Currency = "eur" }),
			check: func(in schemas.Interaction) bool { return in.Currency == "EUR" }},
		{name: "a ts 4 minutes ahead is kept", event: with(func(e *schemas.Event) { e.Time = t0.Add(4 * time.Minute) }),
			check: func(in schemas.Interaction) bool { return in.Time.Equal(t0.Add(4 * time.Minute)) }},
		{name: "a ts 10 minutes ahead is clamped to the record time", event: with(func(e *schemas.Event) { e.Time = t0.Add(10 * time.Minute) }),
			check: func(in schemas.Interaction) bool { return in.Time.Equal(t0) }},
		{name: "a missing event id is derived from the content", event: with(func(e *schemas.Event) { e.EventID = "" }),
			check: func(in schemas.Interaction) bool { return strings.HasPrefix(in.EventID, ingest.DerivedIDPrefix) }},
		{name: "a variant GID given as product is invalid", event: with(func(e *schemas.Event) { e.Product = schemas.VariantGID(1) }), class: ingest.InvalidValue},
		{name: "a product id of 0 is invalid", event: with(func(e *schemas.Event) { e.Product = "0" }), class: ingest.InvalidValue},
		{name: "a NaN price is invalid", event: with(func(e *schemas.Event) { e.Price = math.NaN() }), class: ingest.InvalidValue},
		{name: "a quantity over 10000 is invalid", event: with(func(e *schemas.Event) { e.Quantity = 10_001 }), class: ingest.InvalidValue},
		{name: "a user id with a control character is invalid", event: with(func(e *schemas.Event) { e.UserID = "u\x01" }), class: ingest.InvalidValue},
		{name: "a user id over 256 bytes is invalid", event: with(func(e *schemas.Event) { e.UserID = strings.Repeat("u", 257) }), class: ingest.InvalidValue},
		{name: "a session id with a tab is invalid", event: with(func(e *schemas.Event) { e.SessionID = "s\t1" }), class: ingest.InvalidValue},
		{name: "a two-digit currency is invalid", event: with(func(e *schemas.Event) { e.Currency = "EU" }), class: ingest.InvalidValue},
		{name: "an event without user is missing a field", event: with(func(e *schemas.Event) { e.UserID = "" }), class: ingest.MissingField},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := ingest.Normalize(c.event, t0, src, ingest.Limits{})
			var ie *ingest.Error
			switch {
			case c.class == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case c.class == "" && !c.check(in):
				t.Fatalf("normalized to %+v", in)
			case c.class != "" && (!errors.As(err, &ie) || ie.Class != c.class):
				t.Fatalf("error %v, want class %s", err, c.class)
			}
		})
	}
}

func TestADerivedEventIDIsTheSameForAResendAndDiffersForAnotherEvent(t *testing.T) {
	t.Parallel()
	e := schemas.Event{UserID: "u", Type: schemas.View, Product: "1", Time: t0.Add(-time.Hour)}
	a, _ := ingest.Normalize(e, t0, schemas.Offset{Offset: 1}, ingest.Limits{})
	b, _ := ingest.Normalize(e, t0.Add(time.Minute), schemas.Offset{Offset: 2}, ingest.Limits{})
	e.Product = schemas.ProductGID(1) // the same product, spelled as a GID
	c, _ := ingest.Normalize(e, t0, schemas.Offset{Offset: 3}, ingest.Limits{})
	e.Type = schemas.AddToCart
	d, _ := ingest.Normalize(e, t0, schemas.Offset{Offset: 4}, ingest.Limits{})
	if a.EventID != b.EventID || a.EventID != c.EventID || a.EventID == d.EventID {
		t.Fatalf("derived ids %s %s %s %s", a.EventID, b.EventID, c.EventID, d.EventID)
	}
}

func TestAPinnedFormatDecodesEveryRecordWithItAlone(t *testing.T) {
	t.Parallel()
	codecs, err := schemas.NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	avro, err := codecs.EncodeEvent(schemas.Event{EventID: "e", UserID: "u", Type: schemas.View, Product: "1", Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	pinned, err := ingest.NewPipeline(ingest.DefaultFormats(codecs), "json", ingest.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := pinned.Process(context.Background(), ingest.Record{Value: avro, Time: t0})
	if err != nil || res.Err == nil || res.Err.Class != ingest.Malformed {
		t.Fatalf("Avro through a pipeline pinned to JSON: %+v, %v", res, err)
	}
	auto, err := ingest.NewPipeline(ingest.DefaultFormats(codecs), ingest.FormatAuto, ingest.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err = auto.Process(context.Background(), ingest.Record{Value: avro, Time: t0})
	if err != nil || res.Err != nil || res.Format != "avro" || len(res.Interactions) != 1 {
		t.Fatalf("Avro through auto-detection: %+v, %v", res, err)
	}
	if _, err := ingest.NewPipeline(ingest.DefaultFormats(codecs), "xml", ingest.Limits{}, nil); err == nil {
		t.Fatal("an unknown format was accepted")
	}
}

func TestConfigValidateSaysWhatIsWrongWithEachField(t *testing.T) {
	t.Parallel()
	ok := ingest.Config{Brokers: []string{"localhost:9092"}}
	cases := []struct {
		name string
		mod  func(*ingest.Config)
		want string // in the error; "" means valid
	}{
		{name: "the defaults with one broker are valid", mod: func(*ingest.Config) {}},
		{name: "no brokers is invalid", mod: func(c *ingest.Config) { c.Brokers = nil }, want: "brokers"},
		{name: "the output topic cannot be the input topic", mod: func(c *ingest.Config) { c.OutputTopic = "clickstream.events" }, want: "must differ"},
		{name: "a disabled catalog does not clash with anything", mod: func(c *ingest.Config) { c.CatalogTopic = ingest.CatalogOff }},
		{name: "a negative batch size is invalid", mod: func(c *ingest.Config) { c.BatchSize = -1 }, want: "batch size"},
		{name: "an unknown format is invalid", mod: func(c *ingest.Config) { c.Format = "xml" }, want: "format"},
		{name: "a skew beyond the max future is invalid", mod: func(c *ingest.Config) { c.Limits.MaxFutureSkew = 48 * time.Hour }, want: "skew"},
		{name: "a negative linger is invalid", mod: func(c *ingest.Config) { c.BatchLinger = -time.Millisecond }, want: "linger"},
		{name: "a negative commit interval is invalid", mod: func(c *ingest.Config) { c.CommitInterval = -time.Millisecond }, want: "commit interval"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.mod(&cfg)
			err := cfg.Validate()
			if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate() = %v, want an error about %q", err, c.want)
			}
		})
	}
	err := ingest.Config{BatchSize: -1, Format: "xml"}.Validate()
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("three broken rules gave %q, want three lines", err)
	}
}
