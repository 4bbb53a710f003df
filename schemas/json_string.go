package schemas

import (
	"unicode/utf16"
	"unicode/utf8"
)

// appendUnquoted appends the value of the scanned string literal str to
// dst, decoding it as encoding/json does: escapes are decoded, a \u escape
// of a surrogate that does not pair with the escape after it becomes
// U+FFFD (and the escape after it is decoded on its own), and every byte
// that is not part of valid UTF-8 becomes U+FFFD.
func appendUnquoted(dst []byte, str rawString) []byte {
	if str.plain() {
		return append(dst, str.raw...)
	}
	raw := str.raw
	for i := 0; i < len(raw); {
		switch c := raw[i]; {
		case c == '\\':
			var n int
			dst, n = appendEscaped(dst, raw[i:])
			i += n
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, raw[i:i+n]...)
			}
			i += n
		}
	}
	return dst
}

// appendEscaped appends the value of the escape sequence at the start of
// raw (validated by scanner.escape) and returns how many bytes it used.
func appendEscaped(dst, raw []byte) ([]byte, int) {
	switch raw[1] {
	case 'b':
		return append(dst, '\b'), 2
	case 'f':
		return append(dst, '\f'), 2
	case 'n':
		return append(dst, '\n'), 2
	case 'r':
		return append(dst, '\r'), 2
	case 't':
		return append(dst, '\t'), 2
	case 'u':
		r := hex4(raw[2:6])
		if !utf16.IsSurrogate(r) {
			return utf8.AppendRune(dst, r), 6
		}
		if len(raw) >= 12 && raw[6] == '\\' && raw[7] == 'u' {
			if pair := utf16.DecodeRune(r, hex4(raw[8:12])); pair != utf8.RuneError {
				return utf8.AppendRune(dst, pair), 12
			}
		}
		return utf8.AppendRune(dst, utf8.RuneError), 6
	}
	return append(dst, raw[1]), 2 // '"', '\\' or '/'
}

// hex4 returns the value of four hexadecimal digits (validated).
func hex4(b []byte) rune {
	return hexDigit(b[0])<<12 | hexDigit(b[1])<<8 | hexDigit(b[2])<<4 | hexDigit(b[3])
}

// appendQuoted appends s as a JSON string exactly as encoding/json's
// Marshal does: besides '"', '\\' and control characters it escapes '<',
// '>' and '&' (HTML safety) and U+2028 and U+2029 (JSONP safety), and it
// replaces each byte that is not part of valid UTF-8 with \ufffd.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
