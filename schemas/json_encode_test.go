package schemas

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestEncodeEventJSONMatchesTheReferenceOnRandomEvents(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		checkEncodeMatchesReference(t, randomEvent(rng))
	}
}

func TestEncodeEventJSONMatchesTheReferenceOnEdgeCases(t *testing.T) {
	base := synthEvent()
	cases := map[string]func(e *Event){
		"a zero event still has the members without omitempty": func(e *Event) { *e = Event{} },
		"HTML and JSONP characters are escaped":                func(e *Event) { e.UserID = "<a href='x'>&amp;</a>\u2028\u2029" },
		"control characters are escaped":                       func(e *Event) { e.Product = "\x00\x01\b\f\n\r\t\x1f\x7f\"\\/" },
		"invalid UTF-8 becomes U+FFFD":                         func(e *Event) { e.Currency = "\xff\xc3(\xed\xa0\x80ok\xf0\x9f\x98" },
		"a price below 1e-6 is written with an exponent":       func(e *Event) { e.Price = 9.99e-7 },
		"a price of 1e-6 is written without one":               func(e *Event) { e.Price = 1e-6 },
		"a price of 1e21 is written with an exponent":          func(e *Event) { e.Price = 1e21 },
		"a price just below 1e21 is written without one":       func(e *Event) { e.Price = math.Nextafter(1e21, 0) },
		"a negative price":                                     func(e *Event) { e.Price = -123.456e-9 },
		"the smallest subnormal price":                         func(e *Event) { e.Price = math.SmallestNonzeroFloat64 },
		"the largest price":                                    func(e *Event) { e.Price = -math.MaxFloat64 },
		"a price of -0 is omitted":                             func(e *Event) { e.Price = math.Copysign(0, -1) },
		"a NaN price is an error":                              func(e *Event) { e.Price = math.NaN() },
		"an infinite price is an error":                        func(e *Event) { e.Price = math.Inf(-1) },
		"a negative quantity":                                  func(e *Event) { e.Quantity = math.MinInt },
		"a time in another zone is written in UTC":             func(e *Event) { e.Time = e.Time.In(time.FixedZone("", -9*3600-1800)) },
		"nanoseconds are truncated to milliseconds":            func(e *Event) { e.Time = e.Time.Add(999_999) },
		"a time before year 1":                                 func(e *Event) { e.Time = time.Date(-1, 12, 31, 23, 59, 59, 999_999_999, time.UTC) },
		"a time after year 9999":                               func(e *Event) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"a time with a monotonic reading":                      func(e *Event) { e.Time = time.Now() },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			e := base
			edit(&e)
			checkEncodeMatchesReference(t, e)
		})
	}
}

// FuzzEncodeEventJSON differences EncodeEventJSON against the reference.
func FuzzEncodeEventJSON(f *testing.F) {
	e := synthEvent()
	f.Add(e.EventID, e.UserID, e.SessionID, string(e.Type), e.Product, "", e.Currency, e.Quantity, e.Price, e.Time.UnixNano(), 0)
	f.Add("<&>", "\u2028\u2029", "\x00\x1f\x7f", "\"\\", "\xff\xfe", "é€😀", "\xed\xa0\x80", -1, 1e-7, int64(-1), 3600)
	f.Add("", "", "", "", "", "", "", 0, 1e21, int64(math.MaxInt64), -86400)
	f.Fuzz(func(t *testing.T, id, user, session, typ, product, variant, currency string,
		quantity int, price float64, unixNano int64, zoneOffset int) {
		e := Event{EventID: id, UserID: user, SessionID: session, Type: EventType(typ), Product: product,
			Variant: variant, Quantity: quantity, Price: price, Currency: currency,
			Time: time.Unix(0, unixNano).In(time.FixedZone("", zoneOffset%(24*3600)))}
		checkEncodeMatchesReference(t, e)
	})
}

// randomEvent returns an event whose strings mix plain text with every
// kind of character the encoder treats specially, whose price is drawn from
// all float64 values or from around the format cut-offs, and whose time is
// any instant of years -300 to 12000.
func randomEvent(rng *rand.Rand) Event {
	str := func() string {
		pieces := []string{"a", "Z9", "-_ /:", "<", ">", "&", "\"", "\\", "\x00", "\x1f", "\x7f", "\b\f\n\r\t",
			"é", "€", "😀", "\u2028", "\u2029", "\ufffd", "\xff", "\xc3", "\xed\xa0\x80", "\xf0\x9f\x98", "gid://shopify/Product/"}
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	prices := []float64{0, 19.99, math.Float64frombits(rng.Uint64()), (rng.Float64() - 0.5) * 4e-6,
		(rng.Float64() - 0.5) * 4e21, float64(rng.Int64()), rng.NormFloat64()}
	sec := rng.Int64N(int64(12300*365.25*86400)) - int64(2270*365.25*86400) - 62135596800
	return Event{EventID: str(), UserID: str(), SessionID: str(), Type: EventType(str()), Product: str(),
		Variant: str(), Quantity: rng.IntN(7) - 3, Price: prices[rng.IntN(len(prices))], Currency: str(),
		Time: time.Unix(sec, rng.Int64N(1e9)).In(time.FixedZone("", rng.IntN(48*1800)-24*1800))}
}
