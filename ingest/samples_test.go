package ingest_test

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/recsys/recsys/schemas"
)

// Builders of records in the tracker formats, for the format contract and
// the end-to-end tests. Each encodes a purchase-like schemas.Event the way
// its source sends one.

const (
	actionSchema  = "iglu:com.snowplowanalytics.snowplow.ecommerce/snowplow_ecommerce_action/jsonschema/1-0-2"
	productSchema = "iglu:com.snowplowanalytics.snowplow.ecommerce/product/jsonschema/1-0-0"
)

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func snowplowAction(e schemas.Event) string {
	return map[schemas.EventType]string{schemas.View: "product_view", schemas.AddToCart: "add_to_cart",
		schemas.RemoveFromCart: "remove_from_cart", schemas.Purchase: "transaction"}[e.Type]
}

func snowplowProduct(e schemas.Event) map[string]any {
	return map[string]any{"id": e.Product, "variant": e.Variant, "quantity": e.Quantity, "price": e.Price,
		"currency": e.Currency, "category": "Hats"}
}

// snowplowParams is one tracker event (base64 ue_px and cx, as the JS
// tracker sends by default) for e; duid is the anonymous id, if any.
func snowplowParams(t testing.TB, e schemas.Event, duid string) map[string]string {
	ue := mustJSON(t, map[string]any{"schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
		"data": map[string]any{"schema": actionSchema, "data": map[string]string{"type": snowplowAction(e)}}})
	cx := mustJSON(t, map[string]any{"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
		"data": []any{map[string]any{"schema": productSchema, "data": snowplowProduct(e)}}})
	p := map[string]string{"e": "ue", "eid": e.EventID, "uid": e.UserID, "sid": e.SessionID, "tv": "js-3.17.0",
		"p": "web", "dtm": strconv.FormatInt(e.Time.UnixMilli(), 10), "ip": "203.0.113.9", "ua": "Mozilla/5.0 secret-ua",
		"ue_px": base64.RawURLEncoding.EncodeToString(ue), "cx": base64.RawURLEncoding.EncodeToString(cx)}
	if duid != "" {
		p["duid"] = duid
	}
	return p
}

func snowplowPayload(t testing.TB, events ...any) []byte {
	return mustJSON(t, map[string]any{"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": events})
}

func snowplowSample(t testing.TB, e schemas.Event) []byte {
	return snowplowPayload(t, snowplowParams(t, e, ""))
}

func enrichedSample(t testing.TB, e schemas.Event) []byte {
	return mustJSON(t, map[string]any{
		"app_id": "shop", "platform": "web", "event": "unstruct", "event_id": e.EventID, "user_id": e.UserID,
		"domain_sessionid": e.SessionID, "user_ipaddress": "203.0.113.9",
		"collector_tstamp": e.Time.Add(time.Second).Format(time.RFC3339Nano),
		"derived_tstamp":   e.Time.Format(time.RFC3339Nano),
		"unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1": map[string]string{"type": snowplowAction(e)},
		"contexts_com_snowplowanalytics_snowplow_ecommerce_product_1":                         []any{snowplowProduct(e)},
	})
}

func shopifyVariant(e schemas.Event) map[string]any {
	return map[string]any{"id": e.Variant, "title": "Default Title", "sku": "SKU-" + e.Product,
		"price":   map[string]any{"amount": e.Price, "currencyCode": e.Currency},
		"product": map[string]any{"id": e.Product, "title": "A product", "vendor": "Shop", "url": "/products/a-product"}}
}

// shopifyEvent is the pixel event for e: checkout_completed with one line
// item for a purchase (the customer id in the order), else the event of
// e.Type by clientId.
func shopifyEvent(e schemas.Event, clientID string) map[string]any {
	ev := map[string]any{"id": e.EventID, "type": "standard", "clientId": clientID, "seq": 3,
		"timestamp": e.Time.Format(time.RFC3339Nano),
		"context":   map[string]any{"navigator": map[string]any{"userAgent": "Mozilla/5.0 secret-ua"}}}
	switch e.Type {
	case schemas.Purchase:
		ev["name"] = "checkout_completed"
		ev["data"] = map[string]any{"checkout": map[string]any{"currencyCode": e.Currency, "email": "buyer@example.com",
			"token": "secret-checkout-token", "order": map[string]any{"id": "1001", "customer": map[string]any{"id": e.UserID}},
			"lineItems": []any{map[string]any{"id": "li1", "quantity": e.Quantity, "title": "A product", "variant": shopifyVariant(e),
				"finalLinePrice": map[string]any{"amount": e.Price * float64(e.Quantity), "currencyCode": e.Currency}}}}}
	case schemas.View:
		ev["name"] = "product_viewed"
		ev["data"] = map[string]any{"productVariant": shopifyVariant(e)}
	default:
		ev["name"] = map[schemas.EventType]string{schemas.AddToCart: "product_added_to_cart",
			schemas.RemoveFromCart: "product_removed_from_cart"}[e.Type]
		ev["data"] = map[string]any{"cartLine": map[string]any{"quantity": e.Quantity, "merchandise": shopifyVariant(e)}}
	}
	return ev
}

func shopifySample(t testing.TB, e schemas.Event) []byte {
	return mustJSON(t, shopifyEvent(e, "client-1"))
}

func withoutSession(e schemas.Event) schemas.Event {
	e.SessionID = ""
	return e
}
