package schemas

import "strings"

// eventField is a member of the canonical JSON object, in Event field order.
type eventField int

const (
	fieldEventID eventField = iota
	fieldUserID
	fieldSessionID
	fieldType
	fieldProduct
	fieldVariant
	fieldQuantity
	fieldPrice
	fieldCurrency
	fieldTS
	numEventFields

	fieldUnknown eventField = -1
)

// name returns the member name of f.
func (f eventField) name() string {
	switch f {
	case fieldEventID:
		return "event_id"
	case fieldUserID:
		return "user_id"
	case fieldSessionID:
		return "session_id"
	case fieldType:
		return "type"
	case fieldProduct:
		return "product"
	case fieldVariant:
		return "variant"
	case fieldQuantity:
		return "quantity"
	case fieldPrice:
		return "price"
	case fieldCurrency:
		return "currency"
	case fieldTS:
		return "ts"
	}
	return ""
}

// fieldOf returns the field a decoded member key names, or fieldUnknown.
// Like encoding/json it prefers an exact match and then takes any match
// under Unicode case folding: "Event_ID" names event_id, and so does a key
// spelled with the long s "ſ" (U+017F) for "s", which folds to it.
func fieldOf(key []byte) eventField {
	switch string(key) {
	case "event_id":
		return fieldEventID
	case "user_id":
		return fieldUserID
	case "session_id":
		return fieldSessionID
	case "type":
		return fieldType
	case "product":
		return fieldProduct
	case "variant":
		return fieldVariant
	case "quantity":
		return fieldQuantity
	case "price":
		return fieldPrice
	case "currency":
		return fieldCurrency
	case "ts":
		return fieldTS
	}
	ascii := isASCII(key)
	for f := range numEventFields {
		name := f.name()
		// An ASCII key folds to a name only if it has the name's length.
		if (!ascii || len(key) == len(name)) && strings.EqualFold(string(key), name) {
			return f
		}
	}
	return fieldUnknown
}

// isASCII reports whether every byte of b is below 0x80.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
