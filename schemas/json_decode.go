package schemas

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// eventDecoder decodes the canonical JSON object in one pass, validating
// the syntax as it goes. It accepts what json.Unmarshal into the struct
// form of Event accepted, with the same results:
//   - members are matched to fields case-insensitively (see fieldOf), and
//     unknown members are skipped;
//   - when a member repeats, the last one wins, and null leaves a field as
//     it was, except for ts, where null means "no time";
//   - a value of the wrong type is an error, and so is a quantity that is
//     not an integer in range, as "1e2" or "3.0".
//
// It keeps the last value of each string field undecoded, as a slice of
// the input, and decodes them all into one string at the end: an event
// costs one allocation whatever its number of fields. The fields share
// that string's memory, so keeping any one of them alive keeps all of them
// (an event's worth of bytes).
type eventDecoder struct {
	scanner
	strs     [numEventFields]rawString // of the string fields, and of ts if it is a string
	quantity int
	price    float64
	ts       []byte // the last ts value, undecoded, as json.RawMessage held it
}

// span locates a field's value in the decoded string.
type span struct{ start, end int }

// decodeEvent decodes one canonical JSON event: an object, or null, which
// stands for the zero Event as it did for json.Unmarshal.
func decodeEvent(b []byte) (Event, error) {
	d := eventDecoder{scanner: scanner{data: b}}
	d.skipSpace()
	c, err := d.peek()
	switch {
	case err != nil:
	case c == '{':
		err = d.object(1, d.member)
	case c == 'n':
		err = d.literal("null")
	default:
		err = d.skipValue(0)
	}
	if err == nil {
		err = d.end()
	}
	switch {
	case err != nil:
		return Event{}, err
	case c == '{':
		return d.event()
	case c == 'n':
		return Event{}, nil
	}
	return Event{}, fmt.Errorf("cannot unmarshal %s into an event", valueKind(c))
}

// member decodes the value of the member named key.
func (d *eventDecoder) member(key rawString) error {
	f := d.field(key)
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch f {
	case fieldUnknown:
		return d.skipValue(1)
	case fieldQuantity:
		return d.quantityValue(c)
	case fieldPrice:
		return d.priceValue(c)
	case fieldTS:
		return d.tsValue(c)
	}
	return d.stringValue(f, c)
}

// field returns the field that key names.
func (d *eventDecoder) field(key rawString) eventField {
	if !key.escaped {
		return fieldOf(key.raw) // invalid UTF-8 names no field either way
	}
	var scratch [32]byte
	return fieldOf(appendUnquoted(scratch[:0], key))
}

// stringValue decodes the value of string field f, whose first byte is c.
func (d *eventDecoder) stringValue(f eventField, c byte) error {
	switch c {
	case '"':
		str, err := d.string()
		d.strs[f] = str
		return err
	case 'n':
		return d.literal("null") // leaves the field as it was
	}
	return d.mismatch(f, c, "string")
}

// quantityValue decodes the quantity, whose first byte is c.
func (d *eventDecoder) quantityValue(c byte) error {
	if c == 'n' {
		return d.literal("null")
	}
	if valueKind(c) != "number" {
		return d.mismatch(fieldQuantity, c, "int")
	}
	lit, err := d.number()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(lit), 10, strconv.IntSize)
	if err != nil {
		return fmt.Errorf("field quantity: cannot unmarshal number %s into an int", lit)
	}
	d.quantity = int(n)
	return nil
}

// priceValue decodes the price, whose first byte is c.
func (d *eventDecoder) priceValue(c byte) error {
	if c == 'n' {
		return d.literal("null")
	}
	if valueKind(c) != "number" {
		return d.mismatch(fieldPrice, c, "float64")
	}
	lit, err := d.number()
	if err != nil {
		return err
	}
	p, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return fmt.Errorf("field price: cannot unmarshal number %s into a float64", lit)
	}
	d.price = p
	return nil
}

// tsValue keeps the ts value, whose first byte is c, for event to decode:
// only the last one counts, whatever the ones before it held.
func (d *eventDecoder) tsValue(c byte) error {
	start := d.pos
	var err error
	if c == '"' {
		d.strs[fieldTS], err = d.string()
	} else {
		err = d.skipValue(1)
	}
	d.ts = d.data[start:d.pos]
	return err
}

// mismatch reports a value starting with c where field f wants a value of
// Go type want, or a syntax error if no value starts with c.
func (d *eventDecoder) mismatch(f eventField, c byte, want string) error {
	kind := valueKind(c)
	if kind == "" {
		return d.syntaxError("looking for beginning of value")
	}
	return fmt.Errorf("field %s: cannot unmarshal %s into a %s", f.name(), kind, want)
}

// event returns the decoded Event, once the object has been read.
func (d *eventDecoder) event() (Event, error) {
	if len(d.ts) == 0 || d.ts[0] != '"' {
		d.strs[fieldTS] = rawString{} // an earlier string ts, overridden
	}
	all, spans := d.decodeStrings()
	str := func(f eventField) string { return all[spans[f].start:spans[f].end] }
	t, err := parseJSONTime(d.ts, str(fieldTS))
	if err != nil {
		return Event{}, fmt.Errorf("field ts: %w", err)
	}
	return Event{
		EventID: str(fieldEventID), UserID: str(fieldUserID), SessionID: str(fieldSessionID),
		Type: EventType(str(fieldType)), Product: str(fieldProduct), Variant: str(fieldVariant),
		Quantity: d.quantity, Price: d.price, Currency: str(fieldCurrency), Time: t,
	}, nil
}

// decodeStrings decodes the kept string values into one string, all, where
// spans locates them.
func (d *eventDecoder) decodeStrings() (all string, spans [numEventFields]span) {
	var b strings.Builder
	size := 0
	for _, s := range d.strs {
		size += len(s.raw) // exact, unless escaped or not UTF-8
	}
	b.Grow(size)
	for f, s := range d.strs {
		start := b.Len()
		if s.plain() {
			b.Write(s.raw)
		} else {
			var scratch [64]byte
			b.Write(appendUnquoted(scratch[:0], s))
		}
		spans[f] = span{start, b.Len()}
	}
	return b.String(), spans
}

// parseJSONTime decodes the raw ts value: null or missing is the zero time,
// a string (s, decoded) is RFC 3339, a number is Unix milliseconds.
func parseJSONTime(raw []byte, s string) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil // missing; validation reports it
	}
	if raw[0] == '"' {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("not an RFC 3339 time: %q", s)
		}
		return t.UTC(), nil
	}
	ms, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not Unix milliseconds: %s", raw)
	}
	return time.UnixMilli(ms).UTC(), nil
}
