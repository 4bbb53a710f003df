package schemas

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// jsonTimeLayout is the layout of ts in the canonical JSON: RFC 3339 UTC,
// always with milliseconds. A time is truncated, not rounded, to it.
const jsonTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// appendEvent appends the canonical JSON object of e to dst: the bytes
// json.Marshal produced for Event's struct tags, member for member (the
// omitempty members left out when zero).
func appendEvent(dst []byte, e Event) ([]byte, error) {
	if math.IsInf(e.Price, 0) || math.IsNaN(e.Price) {
		return nil, &json.UnsupportedValueError{
			Value: reflect.ValueOf(e.Price), Str: strconv.FormatFloat(e.Price, 'g', -1, 64),
		}
	}
	dst = append(dst, `{"event_id":`...)
	dst = appendQuoted(dst, e.EventID)
	dst = append(dst, `,"user_id":`...)
	dst = appendQuoted(dst, e.UserID)
	dst = appendOptional(dst, `,"session_id":`, e.SessionID)
	dst = append(dst, `,"type":`...)
	dst = appendQuoted(dst, string(e.Type))
	dst = append(dst, `,"product":`...)
	dst = appendQuoted(dst, e.Product)
	dst = appendOptional(dst, `,"variant":`, e.Variant)
	if e.Quantity != 0 {
		dst = append(dst, `,"quantity":`...)
		dst = strconv.AppendInt(dst, int64(e.Quantity), 10)
	}
	if e.Price != 0 {
		dst = append(dst, `,"price":`...)
		dst = appendFloat(dst, e.Price)
	}
	dst = appendOptional(dst, `,"currency":`, e.Currency)
	dst = append(dst, `,"ts":"`...)
	dst = e.Time.UTC().AppendFormat(dst, jsonTimeLayout) // ASCII that needs no escaping
	return append(dst, `"}`...), nil
}

// appendOptional appends the member key: s unless s is empty (omitempty).
func appendOptional(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendQuoted(append(dst, key...), s)
}

// appendFloat appends finite f as encoding/json does: the shortest
// representation that round-trips, in 'f' format unless the magnitude is
// below 1e-6 or from 1e21 up, in 'e' format with a one-digit exponent
// written without padding (1e-7, not 1e-07).
func appendFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst
}

// encodedSize is a capacity for the canonical JSON of e: enough unless its
// strings need escaping.
func encodedSize(e Event) int {
	const members = 192 // keys, punctuation, ts, quantity and price
	return members + len(e.EventID) + len(e.UserID) + len(e.SessionID) + len(e.Type) +
		len(e.Product) + len(e.Variant) + len(e.Currency)
}
