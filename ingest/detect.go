package ingest

import (
	"bytes"
)

// Detection of the tracker formats by the top-level keys of a JSON object,
// so that a key nested anywhere (a custom event's payload, a context
// entity) never makes a record look like another format. The scan does not
// allocate or decode; it stops at the first byte it does not expect, which
// only makes a truncated record undetected (then rejected as malformed).

// topLevel calls visit with each key of the JSON object v (raw, escapes not
// decoded) and the raw bytes of its value, until visit returns false.
func topLevel(v []byte, visit func(key, value []byte) bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return
	}
	for i = skipSpace(v, i+1); i < len(v) && v[i] == '"'; i = skipSpace(v, i+1) {
		end, ok := skipString(v, i)
		key := v[min(i+1, len(v)):max(end-1, i+1)]
		if i = skipSpace(v, end); !ok || i >= len(v) || v[i] != ':' {
			return
		}
		start := skipSpace(v, i+1)
		if i, ok = skipValue(v, start); !ok || !visit(key, v[start:i]) {
			return
		}
		if i = skipSpace(v, i); i >= len(v) || v[i] != ',' {
			return
		}
	}
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at v[i] == '"'.
func skipString(v []byte, i int) (int, bool) {
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(v), false
}

// skipValue returns the index after the value starting at v[i].
func skipValue(v []byte, i int) (int, bool) {
	if i >= len(v) {
		return i, false
	}
	switch v[i] {
	case '"':
		return skipString(v, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(v); j++ {
			switch v[j] {
			case '"':
				end, ok := skipString(v, j)
				if !ok {
					return end, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, true
				}
			}
		}
		return len(v), false
	}
	j := i
	for j < len(v) && bytes.IndexByte([]byte(",}] \t\r\n"), v[j]) < 0 {
		j++
	}
	return j, j > i
}

// hasKeys reports which of keys the object v holds at its top level.
func hasKeys(v []byte, keys ...string) []bool {
	found := make([]bool, len(keys))
	topLevel(v, func(key, _ []byte) bool {
		for k, want := range keys {
			if string(key) == want {
				found[k] = true
			}
		}
		return true
	})
	return found
}

// isSnowplowTracker: a payload_data body (its "schema" names payload_data),
// one event object (top-level "e" and "tv"), a relay envelope whose
// "message" is one of those, or a query string with an "e" parameter.
func isSnowplowTracker(v []byte) bool {
	v = bytes.TrimSpace(v) // as DecodeTracker trims: all Unicode space, not only JSON's
	switch {
	case len(v) == 0:
		return false
	case v[0] != '{':
		return isTrackerQuery(v)
	}
	t := trackerKeysOf(v)
	if t.message != nil && !t.payload && !t.e {
		t = trackerKeysOf(t.message)
	}
	return t.payload || (t.e && t.tv)
}

// trackerKeys is what the top level of a JSON object says about Snowplow.
type trackerKeys struct {
	payload, e, tv bool
	message        []byte
}

func trackerKeysOf(v []byte) trackerKeys {
	var t trackerKeys
	topLevel(v, func(key, value []byte) bool {
		switch string(key) {
		case "schema":
			t.payload = bytes.Contains(value, []byte("/payload_data/jsonschema/"))
		case "e":
			t.e = true
		case "tv":
			t.tv = true
		case "message":
			t.message = value
		}
		return true
	})
	return t
}

// isTrackerQuery: a GET query string (optionally with its /i? path) with an
// "e" parameter. JSON and the Avro frames cannot start with a letter, '/'
// or '?'.
func isTrackerQuery(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	if c := v[0] | 0x20; (c < 'a' || c > 'z') && v[0] != '/' && v[0] != '?' {
		return false
	}
	return bytes.HasPrefix(v, []byte("e=")) || bytes.Contains(v, []byte("&e=")) || bytes.Contains(v, []byte("?e="))
}

// isSnowplowEnriched: an object with the enriched event's collector_tstamp,
// or event_id and domain_userid, at its top level.
func isSnowplowEnriched(v []byte) bool {
	f := hasKeys(v, "collector_tstamp", "event_id", "domain_userid")
	return f[0] || (f[1] && f[2])
}

// isShopifyPixel: an object with a top-level clientId, or an array whose
// first element is one.
func isShopifyPixel(v []byte) bool {
	i := skipSpace(v, 0)
	if i < len(v) && v[i] == '[' {
		v = v[i+1:]
	}
	return hasKeys(v, "clientId")[0]
}
