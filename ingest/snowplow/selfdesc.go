package snowplow

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/recsys/recsys/ingest/decode"
)

// Vendors and names of the schemas recsys reads.
const (
	snowplowVendor  = "com.snowplowanalytics.snowplow"
	ecommerceVendor = "com.snowplowanalytics.snowplow.ecommerce"
	actionName      = "snowplow_ecommerce_action"
)

// iglu is a parsed schema URI: iglu:<vendor>/<name>/<format>/<model>-<revision>-<addition>.
type iglu struct {
	vendor, name string
	model        int
}

func parseIglu(uri string) (iglu, bool) {
	rest, ok := strings.CutPrefix(uri, "iglu:")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 4 || parts[0] == "" || parts[1] == "" || parts[2] != "jsonschema" {
		return iglu{}, false
	}
	ver := strings.Split(parts[3], "-")
	if len(ver) != 3 {
		return iglu{}, false
	}
	model, err := strconv.Atoi(ver[0])
	if err != nil || model < 1 {
		return iglu{}, false
	}
	return iglu{vendor: parts[0], name: parts[1], model: model}, true
}

// selfDescribing is a self-describing JSON: {"schema": <iglu URI>, "data": …}.
type selfDescribing struct {
	Schema string          `json:"schema"`
	Data   json.RawMessage `json:"data"`
}

// readSelfDescribing parses sd and checks that its schema is vendor/name,
// model 1.
func readSelfDescribing(field string, b []byte, vendor, name string) (selfDescribing, *decode.Error) {
	var sd selfDescribing
	if err := json.Unmarshal(b, &sd); err != nil {
		return sd, decode.Bad(field, "not a self-describing JSON")
	}
	return sd, checkSchema(field, sd.Schema, vendor, name)
}

// checkSchema checks that uri names vendor/name, model 1.
func checkSchema(field, uri, vendor, name string) *decode.Error {
	s, ok := parseIglu(uri)
	switch {
	case !ok || s.vendor != vendor || s.name != name:
		return &decode.Error{Class: decode.UnsupportedSchema, Field: field, Msg: "schema " + strconv.Quote(clipURI(uri)) + ", want " + vendor + "/" + name}
	case s.model != 1:
		return &decode.Error{Class: decode.UnsupportedSchema, Field: field, Msg: "schema " + strconv.Quote(clipURI(uri)) + ": only model 1 is supported"}
	}
	return nil
}

// decodeBase64 reads the tracker's base64: URL-safe or standard alphabet,
// padded or not (as the JS tracker sends and Enrich accepts).
func decodeBase64(field, s string) ([]byte, *decode.Error) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, decode.Bad(field, "not valid base64")
	}
	return b, nil
}

// readEvent reads the unstruct_event wrapper (ue_pr or decoded ue_px) into
// h: an ecommerce action, or another event (ignored).
func (h *hit) readEvent(field string, b []byte) *decode.Error {
	sd, err := readSelfDescribing(field, b, snowplowVendor, "unstruct_event")
	if err != nil {
		return err
	}
	var inner selfDescribing
	if json.Unmarshal(sd.Data, &inner) != nil {
		return decode.Bad(field, "data is not a self-describing JSON")
	}
	s, ok := parseIglu(inner.Schema)
	if !ok {
		return &decode.Error{Class: decode.UnsupportedSchema, Field: field, Msg: "not an Iglu schema URI: " + strconv.Quote(clipURI(inner.Schema))}
	}
	if s.vendor != ecommerceVendor || s.name != actionName {
		h.kind = other
		return nil
	}
	if s.model != 1 {
		return &decode.Error{Class: decode.UnsupportedSchema, Field: field, Msg: "schema " + strconv.Quote(clipURI(inner.Schema)) + ": only model 1 is supported"}
	}
	h.kind = ecommerce
	return h.readAction(field+".data", inner.Data)
}

// readAction reads the data of a snowplow_ecommerce_action.
func (h *hit) readAction(field string, b []byte) *decode.Error {
	var a struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(b, &a) != nil {
		return decode.Bad(field, "not a JSON object")
	}
	t, err := jsonString(field+".type", a.Type)
	h.action = t
	return err
}

// readContexts reads the contexts wrapper (co or decoded cx): the product
// entities and the transaction's currency; other entities are skipped.
func (h *hit) readContexts(field string, b []byte) *decode.Error {
	sd, err := readSelfDescribing(field, b, snowplowVendor, "contexts")
	if err != nil {
		return err
	}
	var entities []selfDescribing
	if json.Unmarshal(sd.Data, &entities) != nil {
		return decode.Bad(field, "data is not an array of self-describing JSONs")
	}
	var products [][]byte
	for _, e := range entities {
		s, _ := parseIglu(e.Schema)
		if s.vendor != ecommerceVendor || s.model != 1 {
			continue
		}
		switch s.name {
		case "product":
			products = append(products, e.Data)
		case "transaction":
			h.currency = transactionCurrency(e.Data)
		}
	}
	h.setProducts(field, products)
	return nil
}

// setProducts reads product entities; a bad one makes the event bad.
func (h *hit) setProducts(field string, raws [][]byte) {
	h.productsField = field
	for k, raw := range raws {
		p, err := readProduct(field+".product["+strconv.Itoa(k)+"]", raw)
		if err != nil {
			h.productsErr = err
			return
		}
		h.products = append(h.products, p)
	}
}

func transactionCurrency(b []byte) string {
	var t struct {
		Currency string `json:"currency"`
	}
	_ = json.Unmarshal(b, &t) // optional: a product's own currency comes first
	return t.Currency
}

// readProduct reads one product entity (ecommerce/product 1-0-0). The id
// may be a Shopify product id or GID; the variant is kept only when it is
// a numeric variant id or a variant GID (the schema allows any label, like
// "blue/L", which is not an id).
func readProduct(field string, b []byte) (product, *decode.Error) {
	var raw struct {
		ID       json.RawMessage `json:"id"`
		Variant  json.RawMessage `json:"variant"`
		Quantity json.RawMessage `json:"quantity"`
		Price    json.RawMessage `json:"price"`
		Currency json.RawMessage `json:"currency"`
	}
	if json.Unmarshal(b, &raw) != nil {
		return product{}, decode.Bad(field, "not a JSON object")
	}
	var p product
	var err *decode.Error
	if p.id, err = jsonID(field+".id", raw.ID); err != nil {
		return p, err
	}
	if p.id == "" {
		return p, decode.Missing(field + ".id")
	}
	if v, _ := jsonID(field+".variant", raw.Variant); isDigits(v) || strings.HasPrefix(v, "gid://shopify/ProductVariant/") {
		p.variant = v
	}
	if p.quantity, err = decode.Int(field+".quantity", raw.Quantity); err != nil {
		return p, err
	}
	if p.price, err = decode.Number(field+".price", raw.Price); err != nil {
		return p, err
	}
	p.currency, err = jsonString(field+".currency", raw.Currency)
	return p, err
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
	if len(raw) > 0 && raw[0] != '"' && !decode.IsNull(raw) {
		if s := string(raw); isDigits(s) {
			return s, nil
		}
		return "", decode.Invalid(field, "not a string or an integer")
	}
	return jsonString(field, raw)
}

// clipURI shortens a schema URI quoted in an error, keeping its version.
func clipURI(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
