package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/recsys/recsys/schemas"
)

// HandlePrefix marks a ProductGID that is still a product handle: the event
// named a handle the catalog did not know when it was ingested. It is kept,
// not rejected, so the event still counts in the user's history.
const HandlePrefix = "handle:"

// DerivedIDPrefix starts the event id ingest derives for an event sent
// without one.
const DerivedIDPrefix = "derived:"

// MaxQuantity is the largest quantity an event may carry.
const MaxQuantity = 10_000

// Normalize validates e and turns it into an Interaction read from src.
// recordTime is the Kafka timestamp of the record that carried e, the
// reference for the time limits (zero means now). A product handle is
// returned as HandlePrefix+handle; Pipeline resolves those through the
// catalog. lim is defaulted.
//
// Rules: user_id, type, product and ts are required; ids hold no whitespace
// or control characters and are at most MaxStringLen bytes; a missing
// event_id is derived from a hash of the event's content, so a tracker's
// resend still dedupes; a numeric product or variant becomes its GID;
// quantity 0 (unset) becomes 1; price is finite and not negative; currency is
// three letters, upper-cased. A non-nil error is always an *Error.
func Normalize(e schemas.Event, recordTime time.Time, src schemas.Offset, lim Limits) (schemas.Interaction, error) {
	in, err := normalize(e, recordTime, src, lim.withDefaults())
	if err != nil {
		return schemas.Interaction{}, err
	}
	return in, nil
}

func normalize(e schemas.Event, recordTime time.Time, src schemas.Offset, lim Limits) (schemas.Interaction, *Error) {
	if recordTime.IsZero() {
		recordTime = time.Now()
	}
	in := schemas.Interaction{Type: e.Type, Source: src}
	var err *Error
	if in.UserID, err = requiredID("user_id", e.UserID, lim.MaxStringLen); err != nil {
		return schemas.Interaction{}, err
	}
	if in.Type == "" {
		return schemas.Interaction{}, missing("type")
	}
	if !in.Type.Valid() {
		return schemas.Interaction{}, invalid("type", "unknown event type %q", clip(string(in.Type)))
	}
	if in.ProductGID, err = normalizeProduct(e.Product, lim.MaxStringLen); err != nil {
		return schemas.Interaction{}, err
	}
	if in.Time, err = lim.eventTime(e.Time, recordTime); err != nil {
		return schemas.Interaction{}, err
	}
	if err = normalizeDetails(e, &in, lim); err != nil {
		return schemas.Interaction{}, err
	}
	return in, nil
}

// normalizeDetails checks the optional fields and the event id.
func normalizeDetails(e schemas.Event, in *schemas.Interaction, lim Limits) *Error {
	var err *Error
	if in.SessionID, err = optionalID("session_id", e.SessionID, lim.MaxStringLen); err != nil {
		return err
	}
	if in.VariantGID, err = normalizeVariant(e.Variant, lim.MaxStringLen); err != nil {
		return err
	}
	switch in.Quantity = e.Quantity; {
	case in.Quantity == 0:
		in.Quantity = 1
	case in.Quantity < 0 || in.Quantity > MaxQuantity:
		return invalid("quantity", "%d is not in 1..%d", in.Quantity, MaxQuantity)
	}
	if in.Price = e.Price; math.IsNaN(in.Price) || math.IsInf(in.Price, 0) || in.Price < 0 {
		return invalid("price", "%v is not a finite, non-negative amount", in.Price)
	}
	if in.Currency, err = normalizeCurrency(e.Currency); err != nil {
		return err
	}
	if e.EventID == "" {
		in.EventID = deriveEventID(*in, e.Time)
		return nil
	}
	in.EventID, err = requiredID("event_id", e.EventID, lim.MaxStringLen)
	return err
}

// eventTime applies the time limits to ts against the record's timestamp.
func (l Limits) eventTime(ts, record time.Time) (time.Time, *Error) {
	if ts.IsZero() {
		return time.Time{}, missing("ts")
	}
	ts = ts.UTC().Truncate(time.Millisecond)
	record = record.UTC().Truncate(time.Millisecond)
	ahead := ts.Sub(record)
	switch {
	case ahead > l.MaxFuture:
		return time.Time{}, invalid("ts", "%s is %s ahead of the record timestamp (limit %s)",
			ts.Format(time.RFC3339), human(ahead), human(l.MaxFuture))
	case ahead > l.MaxFutureSkew:
		return record, nil // clock skew: clamp rather than lose the event
	case -ahead > l.MaxAge:
		return time.Time{}, invalid("ts", "%s is %s before the record timestamp (limit %s)",
			ts.Format(time.RFC3339), human(-ahead), human(l.MaxAge))
	}
	return ts, nil
}

func normalizeProduct(p string, maxLen int) (string, *Error) {
	p, err := requiredID("product", p, maxLen)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(p, "gid://") {
		if _, ok := schemas.ParseProductGID(p); !ok {
			return "", invalid("product", "%q is not a Shopify product GID", p)
		}
		return p, nil
	}
	if isDigits(p) {
		id, perr := strconv.ParseUint(p, 10, 64)
		if perr != nil || id == 0 {
			return "", invalid("product", "%q is not a positive product id", p)
		}
		return schemas.ProductGID(id), nil
	}
	handle := strings.TrimPrefix(p, HandlePrefix)
	if handle == "" || strings.ContainsAny(handle, "/:?#") {
		return "", invalid("product", "%q is not a GID, a numeric id or a handle", p)
	}
	return HandlePrefix + handle, nil
}

func normalizeVariant(v string, maxLen int) (string, *Error) {
	v, err := optionalID("variant", v, maxLen)
	if err != nil || v == "" {
		return v, err
	}
	if isDigits(v) {
		if id, perr := strconv.ParseUint(v, 10, 64); perr == nil && id > 0 {
			return schemas.VariantGID(id), nil
		}
	} else if _, ok := schemas.ParseVariantGID(v); ok {
		return v, nil
	}
	return "", invalid("variant", "%q is not a numeric variant id or a variant GID", v)
}

func normalizeCurrency(c string) (string, *Error) {
	if c == "" {
		return "", nil
	}
	if len(c) != 3 || !isLetters(c) {
		return "", invalid("currency", "%q is not a three-letter ISO 4217 code", clip(c))
	}
	return strings.ToUpper(c), nil
}

func requiredID(field, v string, maxLen int) (string, *Error) {
	if v == "" {
		return "", missing(field)
	}
	return optionalID(field, v, maxLen)
}

// optionalID checks an identifier-like string: bounded, UTF-8, no whitespace
// or control characters (they break keys, logs and CSV exports downstream).
func optionalID(field, v string, maxLen int) (string, *Error) {
	if len(v) > maxLen {
		return "", invalid(field, "longer than %d bytes", maxLen)
	}
	if !utf8.ValidString(v) {
		return "", invalid(field, "not valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsSpace(r) {
			return "", invalid(field, "contains whitespace")
		}
		if unicode.IsControl(r) {
			return "", invalid(field, "contains a control character")
		}
	}
	return v, nil
}

// deriveEventID hashes what identifies an event when its sender gave no id.
// It uses the event time as sent (not as clamped), so a resend with a later
// record timestamp gets the same id.
func deriveEventID(in schemas.Interaction, sent time.Time) string {
	h := sha256.New()
	for _, s := range []string{in.UserID, string(in.Type), in.ProductGID, in.VariantGID,
		strconv.FormatInt(sent.UnixMilli(), 10), in.SessionID} {
		h.Write([]byte(s))
		h.Write([]byte{0}) // ids hold no control characters, so 0 separates unambiguously
	}
	var sum [sha256.Size]byte
	return DerivedIDPrefix + hex.EncodeToString(h.Sum(sum[:0])[:16])
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// human formats d for an error message: whole days as days, else rounded.
func human(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= 2*day {
		return strconv.FormatInt(int64(d/day), 10) + " days"
	}
	return d.Round(time.Second).String()
}

// clip shortens untrusted text quoted in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
