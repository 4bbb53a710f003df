package shopify

import (
	"encoding/json"

	"github.com/recsys/recsys/ingest/decode"
)

// money is a MoneyV2: amount and currencyCode.
type money struct {
	Amount       json.RawMessage `json:"amount"`
	CurrencyCode json.RawMessage `json:"currencyCode"`
}

// read returns the amount and currency; a nil money is 0 and "".
func (m *money) read(field string) (float64, string, *decode.Error) {
	if m == nil {
		return 0, "", nil
	}
	amount, err := decode.Number(field+".amount", m.Amount)
	if err != nil {
		return 0, "", err
	}
	currency, err := jsonString(field+".currencyCode", m.CurrencyCode)
	return amount, currency, err
}

// jsonString reads a JSON string; null or absent is "".
func jsonString(field string, raw json.RawMessage) (string, *decode.Error) {
	if decode.IsNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", decode.Invalid(field, "not a string")
	}
	return s, nil
}

// jsonID reads an id given as a string or as an integer JSON number.
func jsonID(field string, raw json.RawMessage) (string, *decode.Error) {
	if !decode.IsNull(raw) && raw[0] != '"' {
		for _, c := range raw {
			if c < '0' || c > '9' {
				return "", decode.Invalid(field, "not a string or an integer")
			}
		}
		return string(raw), nil
	}
	return jsonString(field, raw)
}
