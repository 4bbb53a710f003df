package snowplow

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/recsys/recsys/ingest/decode"
)

// productFromURL reads a storefront product page URL: /products/<handle>,
// optionally after a locale or market prefix (/en-us/products/…) and/or a
// collection (/collections/<c>/products/…), with ?variant=<numeric id>.
// ok is false for any other page. The URL is never quoted in an error: its
// query string may carry tokens.
func productFromURL(raw string) (handle, variant string, ok bool, err *decode.Error) {
	if raw == "" {
		return "", "", false, nil
	}
	u, perr := url.Parse(raw)
	if perr != nil {
		return "", "", false, decode.Invalid("url", "not a valid URL")
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	n := len(segs)
	if n < 2 || segs[n-2] != "products" || !productPrefix(segs[:n-2]) {
		return "", "", false, nil
	}
	handle, perr = url.PathUnescape(segs[n-1])
	if perr != nil {
		return "", "", false, decode.Invalid("url", "product handle is not valid percent-encoding")
	}
	handle = strings.ToLower(handle)
	if handle == "" || strings.ContainsAny(handle, "/:?#") || strings.IndexFunc(handle, notHandleRune) >= 0 {
		return "", "", false, decode.Invalid("url", "product handle holds whitespace, control or reserved characters")
	}
	if v := u.Query().Get("variant"); isDigits(v) && len(v) <= 20 {
		variant = v
	}
	return handle, variant, true, nil
}

func notHandleRune(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// productPrefix accepts what may precede /products/: nothing, a locale, a
// collection, or a locale then a collection.
func productPrefix(segs []string) bool {
	if len(segs) > 0 && isLocale(segs[0]) {
		segs = segs[1:]
	}
	switch len(segs) {
	case 0:
		return true
	case 2:
		return segs[0] == "collections" && segs[1] != ""
	}
	return false
}

// isLocale matches Shopify's locale and market path prefixes: a language of
// two or three letters, optionally "-" and a region or script of 2 to 4
// letters or digits (en, fr, en-us, pt-br, zh-hans, es-419).
func isLocale(s string) bool {
	lang, region, hasRegion := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 || !isAlpha(lang) {
		return false
	}
	if !hasRegion {
		return true
	}
	if len(region) < 2 || len(region) > 4 {
		return false
	}
	for i := 0; i < len(region); i++ {
		c := region[i] | 0x20
		if (c < 'a' || c > 'z') && (region[i] < '0' || region[i] > '9') {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
