package shopify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// money is a MoneyV2: amount and currencyCode.
type money struct {
	Amount       json.RawMessage `json:"amount"`
	CurrencyCode json.RawMessage `json:"currencyCode"`
}

// read returns the amount and currency; a nil money is 0 and "".
func (m *money) read(field string) (float64, string, *Error) {
	if m == nil {
		return 0, "", nil
	}
	amount, err := jsonNumber(field+".amount", m.Amount)
	if err != nil {
		return 0, "", err
	}
	currency, err := jsonString(field+".currencyCode", m.CurrencyCode)
	return amount, currency, err
}

// jsonString reads a JSON string; null or absent is "".
func jsonString(field string, raw json.RawMessage) (string, *Error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", invalid(field, "not a string")
	}
	return s, nil
}

// jsonID reads an id given as a string or as an integer JSON number.
func jsonID(field string, raw json.RawMessage) (string, *Error) {
	if !isNull(raw) && raw[0] != '"' {
		for _, c := range raw {
			if c < '0' || c > '9' {
				return "", invalid(field, "not a string or an integer")
			}
		}
		return string(raw), nil
	}
	return jsonString(field, raw)
}

// jsonNumber reads a JSON number or a string holding one; absent is 0.
func jsonNumber(field string, raw json.RawMessage) (float64, *Error) {
	if isNull(raw) {
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' && json.Unmarshal(raw, &s) != nil {
		return 0, invalid(field, "not a number")
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, invalid(field, "not a number")
	}
	return f, nil
}

// jsonInt reads an integral JSON number or a string holding one; absent is 0.
func jsonInt(field string, raw json.RawMessage) (int, *Error) {
	f, err := jsonNumber(field, raw)
	if err != nil {
		return 0, err
	}
	if !(f >= -1e9 && f <= 1e9) || f != float64(int(f)) {
		return 0, invalid(field, "not an integer")
	}
	return int(f), nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}
