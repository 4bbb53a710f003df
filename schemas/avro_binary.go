package schemas

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Avro binary primitives for the hand-written record codecs. Each mirrors
// the goavro v2 function it replaces, quirks included, so that the two
// accept the same inputs and write the same bytes.

// appendLong appends v as a zigzag varint (Avro long).
func appendLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// appendInt appends v as a zigzag varint (Avro int).
func appendInt(dst []byte, v int32) []byte {
	return binary.AppendUvarint(dst, uint64(uint32(v<<1)^uint32(v>>31)))
}

// appendString appends s length-prefixed (Avro string). Like goavro it does
// not check that s is UTF-8.
func appendString(dst []byte, s string) []byte {
	return append(appendLong(dst, int64(len(s))), s...)
}

// appendDouble appends v as 8 little-endian IEEE 754 bytes (Avro double).
func appendDouble(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// unixMillis is goavro's timestamp-millis of t. It floors to the
// millisecond (Nanosecond is never negative) and, as goavro does, silently
// wraps for times some 292 million years from 1970.
func unixMillis(t time.Time) int64 { return t.Unix()*1e3 + int64(t.Nanosecond()/1e6) }

// timeFromMillis is the inverse of unixMillis, in UTC, as goavro decodes it.
func timeFromMillis(ms int64) time.Time {
	sec := ms / 1e3
	return time.Unix(sec, (ms-sec*1e3)*1e6).UTC()
}

// avroReader decodes Avro binary values from the front of s. The first
// error sticks: later reads return zero values, so a record decoder can read
// every field and check err once.
//
// Strings are substrings of s, so one conversion of the whole body costs one
// allocation for the record instead of one per string field. The trap: a
// string kept after the record is dropped keeps the whole body alive.
type avroReader struct {
	s   string
	pos int
	err error
}

// fail records the first error, naming the field being read.
func (r *avroReader) fail(field, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: decoding %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
}

// varint reads an unsigned varint exactly as goavro does: any number of
// continuation bytes, bits shifted past 64 dropped.
func (r *avroReader) varint(field string) uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for shift := uint(0); r.pos < len(r.s); shift += 7 {
		b := r.s[r.pos]
		r.pos++
		v |= uint64(b&0x7f) << shift // a shift of 64 or more yields 0
		if b < 0x80 {
			return v
		}
	}
	r.fail(field, "short buffer")
	return 0
}

// long reads an Avro long.
func (r *avroReader) long(field string) int64 {
	v := r.varint(field)
	return int64(v>>1) ^ -int64(v&1)
}

// int reads an Avro int. Like goavro it keeps the low 32 bits of a varint
// too long for an int rather than rejecting it.
func (r *avroReader) int(field string) int32 {
	v := r.varint(field)
	return int32(v>>1) ^ -int32(v&1)
}

// string reads a length-prefixed Avro string.
func (r *avroReader) string(field string) string {
	n := r.long(field)
	switch {
	case r.err != nil:
		return ""
	case n < 0:
		r.fail(field, "negative length %d", n)
		return ""
	case n > int64(len(r.s)-r.pos):
		r.fail(field, "length %d exceeds the %d bytes left", n, len(r.s)-r.pos)
		return ""
	}
	s := r.s[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return s
}

// double reads an 8-byte little-endian Avro double.
func (r *avroReader) double(field string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.s)-r.pos < 8 {
		r.fail(field, "short buffer")
		return 0
	}
	var bits uint64
	for k := 7; k >= 0; k-- {
		bits = bits<<8 | uint64(r.s[r.pos+k])
	}
	r.pos += 8
	return math.Float64frombits(bits)
}

// enum reads an Avro enum index and checks it against n symbols.
func (r *avroReader) enum(field string, n int) int {
	idx := r.long(field)
	if r.err == nil && (idx < 0 || idx >= int64(n)) {
		r.fail(field, "enum index %d is not in [0, %d)", idx, n)
		return 0
	}
	return int(idx)
}

// rest is how many bytes are left unread.
func (r *avroReader) rest() int { return len(r.s) - r.pos }
