package schemas

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// maxJSONDepth is encoding/json's nesting limit: the event object is depth
// 1, and a value nested deeper than this anywhere in the input is an error.
const maxJSONDepth = 10000

var errUnexpectedEnd = errors.New("unexpected end of JSON input")

// scanner reads one JSON text held in memory. It accepts exactly the
// grammar of encoding/json's scanner, so that the event decoder rejects
// what json.Unmarshal rejects: RFC 8259, whose whitespace is space, tab, CR
// and LF, with strings that may not hold control characters but may hold
// bytes that are not UTF-8, and with at most maxJSONDepth nested values.
// Its methods start at s.pos and leave s.pos after what they read.
type scanner struct {
	data []byte
	pos  int
}

// rawString is a scanned string literal.
type rawString struct {
	raw     []byte // between the quotes, escapes not yet decoded
	escaped bool   // raw holds a backslash escape
	ascii   bool   // every byte of raw is below 0x80
}

// plain reports whether the string's value is raw itself: no escapes to
// decode, and valid UTF-8.
func (str rawString) plain() bool { return !str.escaped && (str.ascii || utf8.Valid(str.raw)) }

// skipSpace moves past JSON whitespace.
func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the byte at s.pos, or errUnexpectedEnd at the end of input.
func (s *scanner) peek() (byte, error) {
	if s.pos >= len(s.data) {
		return 0, errUnexpectedEnd
	}
	return s.data[s.pos], nil
}

// syntaxError reports the byte at s.pos as unexpected, where is what the
// scanner was doing ("in string literal"), as encoding/json words it.
func (s *scanner) syntaxError(where string) error {
	if s.pos >= len(s.data) {
		return errUnexpectedEnd
	}
	return fmt.Errorf("invalid character %q %s (offset %d)", rune(s.data[s.pos]), where, s.pos)
}

// string scans the string literal whose opening quote is at s.pos.
func (s *scanner) string() (rawString, error) {
	start := s.pos + 1
	str := rawString{ascii: true}
	for i := start; i < len(s.data); {
		c := s.data[i]
		if c >= 0x20 && c < 0x80 && c != '"' && c != '\\' {
			i++
			continue
		}
		switch {
		case c == '"':
			s.pos = i + 1
			str.raw = s.data[start:i]
			return str, nil
		case c == '\\':
			s.pos = i
			n, err := s.escape()
			if err != nil {
				return rawString{}, err
			}
			str.escaped = true
			i += n
		case c < 0x20:
			s.pos = i
			return rawString{}, s.syntaxError("in string literal")
		default:
			str.ascii = false
			i++
		}
	}
	s.pos = len(s.data)
	return rawString{}, errUnexpectedEnd
}

// escape validates the escape sequence whose backslash is at s.pos and
// returns its length. It leaves s.pos at an offending byte.
func (s *scanner) escape() (int, error) {
	s.pos++
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		for k := 1; k <= 4; k++ {
			s.pos++
			c, err := s.peek()
			if err != nil {
				return 0, err
			}
			if hexDigit(c) < 0 {
				return 0, s.syntaxError(`in \u hexadecimal character escape`)
			}
		}
		return 6, nil
	}
	return 0, s.syntaxError("in string escape code")
}

// hexDigit returns the value of hexadecimal digit c, or -1.
func hexDigit(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// number scans a number literal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// What follows it is the caller's to check ("01" scans as "0").
func (s *scanner) number() ([]byte, error) {
	start := s.pos
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		s.pos++
	}
	c, err := s.peek()
	switch {
	case err != nil:
		return nil, err
	case c == '0':
		s.pos++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return nil, s.syntaxError("in numeric literal")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if err := s.someDigits(); err != nil {
			return nil, err
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if err := s.someDigits(); err != nil {
			return nil, err
		}
	}
	return s.data[start:s.pos], nil
}

// someDigits moves past one or more decimal digits.
func (s *scanner) someDigits() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c < '0' || c > '9' {
		return s.syntaxError("in numeric literal")
	}
	s.digits()
	return nil
}

// digits moves past zero or more decimal digits.
func (s *scanner) digits() {
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
}

// literal scans word: true, false or null.
func (s *scanner) literal(word string) error {
	for k := range len(word) {
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c != word[k] {
			return s.syntaxError(fmt.Sprintf("in literal %s (expecting %q)", word, rune(word[k])))
		}
		s.pos++
	}
	return nil
}
