package ingest

import (
	"errors"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/ingest/shopify"
	"github.com/recsys/recsys/ingest/snowplow"
)

// SnowplowTracker is the Snowplow tracker protocol: a collector POST body
// (payload_data 1-0-x) whose events are each decoded, validated and
// rejected on their own; or one event, as a JSON object of parameters or a
// GET query string. See package snowplow for the mapping.
type SnowplowTracker struct {
	Limits Limits
}

// Name implements Format.
func (SnowplowTracker) Name() string { return "snowplow" }

// Detect implements Format.
func (SnowplowTracker) Detect(value []byte) bool { return isSnowplowTracker(value) }

// Decode implements Format.
func (f SnowplowTracker) Decode(value []byte) (Decoded, error) {
	b, err := snowplow.DecodeTracker(value, f.Limits.snowplow())
	if err != nil {
		return Decoded{}, fromSnowplow(err)
	}
	return snowplowDecoded(b, f.Limits), nil
}

// SnowplowEnriched is one Snowplow enriched event as JSON, in the shape the
// Snowplow Analytics SDKs give it. See package snowplow for the mapping.
type SnowplowEnriched struct {
	Limits Limits
}

// Name implements Format.
func (SnowplowEnriched) Name() string { return "snowplow-enriched" }

// Detect implements Format.
func (SnowplowEnriched) Detect(value []byte) bool { return isSnowplowEnriched(value) }

// Decode implements Format.
func (f SnowplowEnriched) Decode(value []byte) (Decoded, error) {
	b, err := snowplow.DecodeEnriched(value, f.Limits.snowplow())
	if err != nil {
		return Decoded{}, fromSnowplow(err)
	}
	return snowplowDecoded(b, f.Limits), nil
}

// ShopifyPixel is a Shopify Web Pixels standard event relayed as JSON, or a
// JSON array of them. See package shopify for the mapping.
type ShopifyPixel struct {
	Limits Limits
}

// Name implements Format.
func (ShopifyPixel) Name() string { return "shopify" }

// Detect implements Format.
func (ShopifyPixel) Detect(value []byte) bool { return isShopifyPixel(value) }

// Decode implements Format.
func (f ShopifyPixel) Decode(value []byte) (Decoded, error) {
	lim := f.Limits.withDefaults()
	b, err := shopify.Decode(value, shopify.Limits{MaxEvents: lim.MaxEventsPerRecord, MaxLineItems: lim.MaxLineItems})
	if err != nil {
		var e *decode.Error
		if errors.As(err, &e) {
			return Decoded{}, &Error{Class: e.Class, Field: e.Field, Msg: e.Msg}
		}
		return Decoded{}, Classify(err)
	}
	d := Decoded{Events: b.Events, Positions: b.Positions, Ignored: b.Ignored}
	for _, r := range b.Rejects {
		d.Rejects = append(d.Rejects, Reject{Index: r.Index, Err: &Error{Class: r.Err.Class, Field: r.Err.Field, Msg: r.Err.Msg}})
	}
	for _, a := range b.Aliases {
		d.Aliases = appendAlias(d.Aliases, features.Alias{Anonymous: a.Anonymous, User: a.User}, lim)
	}
	return d, nil
}

func (l Limits) snowplow() snowplow.Limits {
	l = l.withDefaults()
	return snowplow.Limits{MaxEvents: l.MaxEventsPerRecord, MaxProducts: l.MaxLineItems}
}

func fromSnowplow(err error) *Error {
	var e *decode.Error
	if errors.As(err, &e) {
		return &Error{Class: e.Class, Field: e.Field, Msg: e.Msg}
	}
	return Classify(err)
}

func snowplowDecoded(b decode.Batch, lim Limits) Decoded {
	d := Decoded{Events: b.Events, Positions: b.Positions, Ignored: b.Ignored}
	for _, r := range b.Rejects {
		d.Rejects = append(d.Rejects, Reject{Index: r.Index, Err: fromSnowplow(r.Err)})
	}
	for _, a := range b.Aliases {
		d.Aliases = appendAlias(d.Aliases, features.Alias{Anonymous: a.Anonymous, User: a.User}, lim.withDefaults())
	}
	return d
}

// appendAlias keeps an alias whose two ids are valid user ids; a bad one is
// dropped here and its event, if an interaction, rejected by Normalize.
func appendAlias(as []features.Alias, a features.Alias, lim Limits) []features.Alias {
	if _, err := requiredID("duid", a.Anonymous, lim.MaxStringLen); err != nil {
		return as
	}
	if _, err := requiredID("uid", a.User, lim.MaxStringLen); err != nil {
		return as
	}
	return append(as, a)
}
