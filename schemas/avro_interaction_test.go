package schemas

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The hand-written Interaction codec is held to the goavro path: same bytes
// out, same records in, same inputs rejected with the same sentinel.

func mustCodecs(t testing.TB) *Codecs {
	t.Helper()
	c, err := NewCodecs()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// randomInteraction returns an interaction whose strings mix ASCII,
// multi-byte and invalid UTF-8 (and are sometimes long enough for a
// two-byte length), whose numbers include the int32/int64/float64 extremes,
// and whose time is any instant of years 1 to 9999 in any zone, with
// sub-millisecond digits the schema cannot carry.
func randomInteraction(rng *rand.Rand) Interaction {
	str := func() string {
		pieces := []string{"a", "Z9", "-_ /:", "\x00", "é", "€", "😀", "日本語", "\ufffd", "\xff", "\xc3",
			"gid://shopify/Product/", strings.Repeat("x", 70)}
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	ints := []int{0, 1, -1, 63, 64, -64, -65, math.MaxInt32, math.MinInt32, int(rng.Int32()), -int(rng.Int32())}
	longs := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, rng.Int64(), -rng.Int64(), rng.Int64N(1 << 20)}
	prices := []float64{0, math.Copysign(0, -1), 19.99, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Float64frombits(rng.Uint64()), rng.NormFloat64()}
	const year1, year10000 = -62135596800, 253402300800
	sec := year1 + rng.Int64N(year10000-year1)
	return Interaction{EventID: str(), UserID: str(), SessionID: str(), Type: EventTypes[rng.IntN(len(EventTypes))],
		ProductGID: str(), VariantGID: str(), Quantity: ints[rng.IntN(len(ints))],
		Price: prices[rng.IntN(len(prices))], Currency: str(),
		Time:   time.Unix(sec, rng.Int64N(1e9)).In(time.FixedZone("", rng.IntN(48*1800)-24*1800)),
		Source: Offset{Topic: str(), Partition: ints[rng.IntN(len(ints))], Offset: longs[rng.IntN(len(longs))]}}
}

// sameInteraction is == with NaN prices equal to each other.
func sameInteraction(a, b Interaction) bool {
	if math.Float64bits(a.Price) != math.Float64bits(b.Price) {
		return false
	}
	a.Price, b.Price = 0, 0
	return a == b
}

// carried is i as the schema carries it: the time in UTC, floored to the
// millisecond.
func carried(i Interaction) Interaction {
	i.Time = i.Time.Truncate(time.Millisecond).UTC()
	return i
}

// checkEncodeMatchesGoavro asserts both encoders agree on i and returns the bytes.
func checkEncodeMatchesGoavro(t *testing.T, c *Codecs, i Interaction) []byte {
	t.Helper()
	want, wantErr := c.goavroEncodeInteraction(i)
	got, err := c.EncodeInteraction(i)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("encoding %+v: err = %v, goavro err = %v", i, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding %+v:\ngot    %x\ngoavro %x", i, got, want)
	}
	return got
}

// checkDecodeMatchesGoavro asserts both decoders agree on b: both accept with
// the same record, or both reject with the same sentinel.
func checkDecodeMatchesGoavro(t *testing.T, c *Codecs, b []byte) (Interaction, error) {
	t.Helper()
	want, wantErr := c.goavroDecodeInteraction(b)
	got, err := c.DecodeInteraction(b)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("decoding %x: err = %v, goavro err = %v", b, err, wantErr)
	case err != nil && errors.Is(err, ErrUnsupportedSchema) != errors.Is(wantErr, ErrUnsupportedSchema):
		t.Fatalf("decoding %x: err = %v, goavro err = %v", b, err, wantErr)
	case err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnsupportedSchema):
		t.Fatalf("decoding %x: err = %v wraps no sentinel", b, err)
	case !sameInteraction(got, want):
		t.Fatalf("decoding %x:\ngot    %+v\ngoavro %+v", b, got, want)
	}
	return got, err
}

func TestInteractionCodecMatchesGoavroOnRandomInteractions(t *testing.T) {
	c := mustCodecs(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		i := randomInteraction(rng)
		b := checkEncodeMatchesGoavro(t, c, i)
		got, err := checkDecodeMatchesGoavro(t, c, b)
		if err != nil {
			t.Fatal(err)
		}
		want := carried(i)
		want.Quantity, want.Source.Partition = int(int32(i.Quantity)), int(int32(i.Source.Partition))
		if !sameInteraction(got, want) {
			t.Fatalf("round trip:\nwant %+v\ngot  %+v", want, got)
		}
	}
}

func TestInteractionCodecMatchesGoavroOnEdgeCases(t *testing.T) {
	c := mustCodecs(t)
	base := sampleInteraction()
	cases := []struct {
		name string
		edit func(*Interaction)
	}{
		{"the zero interaction but for its type", func(i *Interaction) { *i = Interaction{Type: View} }},
		{"optional fields empty", func(i *Interaction) { i.SessionID, i.VariantGID, i.Currency = "", "", "" }},
		{"a time before 1970 with sub-millisecond digits", func(i *Interaction) { i.Time = time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC) }},
		{"a time one nanosecond before 1970", func(i *Interaction) { i.Time = time.Unix(0, -1) }},
		{"the zero time", func(i *Interaction) { i.Time = time.Time{} }},
		{"a time past the int64 milliseconds", func(i *Interaction) { i.Time = time.Unix(math.MaxInt64/100, 0) }},
		{"a time before the int64 milliseconds", func(i *Interaction) { i.Time = time.Unix(math.MinInt64/100, 5e5) }},
		{"a quantity beyond int32", func(i *Interaction) { i.Quantity = 1<<40 + 5 }},
		{"a partition beyond int32", func(i *Interaction) { i.Source.Partition = -(1<<33 + 1) }},
		{"a string of 100 KB", func(i *Interaction) { i.UserID = strings.Repeat("ü", 50000) }},
		{"an empty type", func(i *Interaction) { i.Type = "" }},
		{"a type that is not a symbol", func(i *Interaction) { i.Type = "click" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			i := base
			tc.edit(&i)
			if b := checkEncodeMatchesGoavro(t, c, i); b != nil {
				checkDecodeMatchesGoavro(t, c, b)
			}
		})
	}
}

// interactionFrame is the single-object header of the Interaction schema
// followed by body.
func interactionFrame(c *Codecs, body ...[]byte) []byte {
	b, _ := c.EncodeInteraction(Interaction{Type: View})
	return append(b[:10:10], bytes.Join(body, nil)...)
}

func TestDecodeInteractionRejectsWhatGoavroRejects(t *testing.T) {
	c := mustCodecs(t)
	valid, _ := c.EncodeInteraction(sampleInteraction())
	event, _ := c.EncodeEvent(sampleEvent())
	empty3 := []byte{0, 0, 0}
	cases := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty bytes are invalid", nil, ErrInvalid},
		{"a header cut short is invalid", valid[:9], ErrInvalid},
		{"a wrong marker is invalid", append([]byte{0xC3, 0x02}, valid[2:]...), ErrInvalid},
		{"an Event is another schema", event, ErrUnsupportedSchema},
		{"a truncated Event is still another schema", event[:12], ErrUnsupportedSchema},
		{"a trailing byte is invalid", append(bytes.Clone(valid), 0), ErrInvalid},
		{"a negative string length is invalid", interactionFrame(c, appendLong(nil, -1)), ErrInvalid},
		{"a length beyond the input is invalid", interactionFrame(c, appendLong(nil, 3), []byte("ab")), ErrInvalid},
		{"an enum index past the symbols is invalid", interactionFrame(c, empty3, appendLong(nil, 4)), ErrInvalid},
		{"a negative enum index is invalid", interactionFrame(c, empty3, appendLong(nil, -1)), ErrInvalid},
		{"a varint without its last byte is invalid", interactionFrame(c, []byte{0x80}), ErrInvalid},
		{"a double cut short is invalid", interactionFrame(c, empty3, []byte{0, 0, 0, 2}, []byte{1, 2, 3}), ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkDecodeMatchesGoavro(t, c, tc.input)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for n := 10; n < len(valid); n++ {
		if _, err := checkDecodeMatchesGoavro(t, c, valid[:n]); !errors.Is(err, ErrInvalid) {
			t.Fatalf("truncated to %d bytes: err = %v, want ErrInvalid", n, err)
		}
	}
}

func TestInteractionCodecAllocatesOnceEachWay(t *testing.T) {
	c := mustCodecs(t)
	i := sampleInteraction()
	b, _ := c.EncodeInteraction(i)
	if n := testing.AllocsPerRun(100, func() { _, _ = c.EncodeInteraction(i) }); n > 1 {
		t.Errorf("%v allocations per encode, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = c.DecodeInteraction(b) }); n > 1 {
		t.Errorf("%v allocations per decode, want 1", n)
	}
}
