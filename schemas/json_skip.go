package schemas

// object scans the object whose '{' is at s.pos, depth being its nesting
// level (the top-level value is at 1). For each member it scans the key
// and the colon and calls member, which must scan the value at s.pos.
func (s *scanner) object(depth int, member func(key rawString) error) error {
	if depth > maxJSONDepth {
		return s.syntaxError("exceeded max depth")
	}
	s.pos++ // '{'
	s.skipSpace()
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == '}' {
		s.pos++
		return nil
	}
	for {
		if c, err = s.peek(); err != nil || c != '"' {
			return s.syntaxError("looking for beginning of object key string")
		}
		key, err := s.string()
		if err != nil {
			return err
		}
		s.skipSpace()
		if c, err = s.peek(); err != nil || c != ':' {
			return s.syntaxError("after object key")
		}
		s.pos++
		s.skipSpace()
		if err := member(key); err != nil {
			return err
		}
		s.skipSpace()
		if c, err = s.peek(); err != nil || c == '}' {
			s.pos++
			return err
		}
		if c != ',' {
			return s.syntaxError("after object key:value pair")
		}
		s.pos++
		s.skipSpace()
	}
}

// array scans the array whose '[' is at s.pos, at nesting level depth.
func (s *scanner) array(depth int) error {
	if depth > maxJSONDepth {
		return s.syntaxError("exceeded max depth")
	}
	s.pos++ // '['
	s.skipSpace()
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for {
		if err := s.skipValue(depth); err != nil {
			return err
		}
		s.skipSpace()
		if c, err = s.peek(); err != nil || c == ']' {
			s.pos++
			return err
		}
		if c != ',' {
			return s.syntaxError("after array element")
		}
		s.pos++
		s.skipSpace()
	}
}

// skipValue scans and discards the value at s.pos, which sits in a
// container at nesting level depth (0 for the top-level value).
func (s *scanner) skipValue(depth int) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return s.object(depth+1, func(rawString) error { return s.skipValue(depth + 1) })
	case '[':
		return s.array(depth + 1)
	case '"':
		_, err := s.string()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	if c == '-' || '0' <= c && c <= '9' {
		_, err := s.number()
		return err
	}
	return s.syntaxError("looking for beginning of value")
}

// end checks that nothing but whitespace follows the top-level value.
func (s *scanner) end() error {
	s.skipSpace()
	if s.pos < len(s.data) {
		return s.syntaxError("after top-level value")
	}
	return nil
}

// valueKind names the JSON type of the value starting with c, as
// encoding/json's type errors do, or returns "" if no value starts with c.
func valueKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	if c == '-' || '0' <= c && c <= '9' {
		return "number"
	}
	return ""
}
