package shopify

import (
	"encoding/json"
	"strconv"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/schemas"
)

// variant is a ProductVariant: the id, the unit price, the product.
type variant struct {
	ID      json.RawMessage `json:"id"`
	Price   *money          `json:"price"`
	Product *struct {
		ID json.RawMessage `json:"id"`
	} `json:"product"`
}

// events maps the event by name; ignored counts what is not an interaction.
func (p *pixel) events(lim Limits) (events []schemas.Event, ignored int, err *decode.Error) {
	if p.typ != "" && p.typ != "standard" {
		return nil, 1, nil // custom and DOM events
	}
	var data struct {
		ProductVariant json.RawMessage `json:"productVariant"`
		CartLine       json.RawMessage `json:"cartLine"`
		Checkout       json.RawMessage `json:"checkout"`
	}
	if !decode.IsNull(p.data) && json.Unmarshal(p.data, &data) != nil {
		return nil, 0, decode.Bad("data", "not an object")
	}
	switch p.name {
	case "":
		return nil, 0, decode.Missing("name")
	case "product_viewed":
		e, err := p.variantEvent(schemas.View, "data.productVariant", data.ProductVariant, 1)
		return []schemas.Event{e}, 0, err
	case "product_added_to_cart":
		e, err := p.cartLineEvent(schemas.AddToCart, data.CartLine)
		return []schemas.Event{e}, 0, err
	case "product_removed_from_cart":
		e, err := p.cartLineEvent(schemas.RemoveFromCart, data.CartLine)
		return []schemas.Event{e}, 0, err
	case "checkout_completed":
		return p.checkoutEvents(data.Checkout, lim)
	}
	return nil, 1, nil // collection_viewed, search_submitted, page_viewed, …
}

func (p pixel) cartLineEvent(typ schemas.EventType, raw json.RawMessage) (schemas.Event, *decode.Error) {
	var line struct {
		Quantity    json.RawMessage `json:"quantity"`
		Merchandise json.RawMessage `json:"merchandise"`
	}
	if decode.IsNull(raw) {
		return schemas.Event{}, decode.Missing("data.cartLine")
	}
	if json.Unmarshal(raw, &line) != nil {
		return schemas.Event{}, decode.Bad("data.cartLine", "not an object")
	}
	q, err := decode.Int("data.cartLine.quantity", line.Quantity)
	if err != nil {
		return schemas.Event{}, err
	}
	return p.variantEvent(typ, "data.cartLine.merchandise", line.Merchandise, q)
}

// variantEvent is an interaction with the ProductVariant in raw.
func (p pixel) variantEvent(typ schemas.EventType, field string, raw json.RawMessage, quantity int) (schemas.Event, *decode.Error) {
	if decode.IsNull(raw) {
		return schemas.Event{}, decode.Missing(field)
	}
	var v variant
	if json.Unmarshal(raw, &v) != nil {
		return schemas.Event{}, decode.Bad(field, "not a ProductVariant object")
	}
	e, err := p.event(typ)
	if err != nil {
		return e, err
	}
	e.Quantity = quantity
	if e.Variant, err = jsonID(field+".id", v.ID); err != nil {
		return e, err
	}
	if v.Product == nil {
		return e, decode.Missing(field + ".product")
	}
	if e.Product, err = jsonID(field+".product.id", v.Product.ID); err != nil {
		return e, err
	}
	if e.Product == "" {
		return e, decode.Missing(field + ".product.id")
	}
	e.Price, e.Currency, err = v.Price.read(field + ".price")
	return e, err
}

// event is the part of an interaction every product of p shares.
func (p pixel) event(typ schemas.EventType) (schemas.Event, *decode.Error) {
	user := p.customerID
	if user == "" {
		user = p.clientID
	}
	if user == "" {
		return schemas.Event{}, decode.Missing("clientId")
	}
	if p.timeErr != nil {
		return schemas.Event{}, p.timeErr
	}
	return schemas.Event{EventID: p.id, UserID: user, Type: typ, Time: p.time}, nil
}

// checkoutEvents makes every line item of a completed checkout a purchase.
func (p *pixel) checkoutEvents(raw json.RawMessage, lim Limits) ([]schemas.Event, int, *decode.Error) {
	var c struct {
		CurrencyCode json.RawMessage   `json:"currencyCode"`
		LineItems    []json.RawMessage `json:"lineItems"`
		Order        *struct {
			Customer *struct {
				ID json.RawMessage `json:"id"`
			} `json:"customer"`
		} `json:"order"`
	}
	if decode.IsNull(raw) {
		return nil, 0, decode.Missing("data.checkout")
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil, 0, decode.Bad("data.checkout", "not a Checkout object")
	}
	if c.Order != nil && c.Order.Customer != nil {
		id, err := jsonID("data.checkout.order.customer.id", c.Order.Customer.ID)
		if err != nil {
			return nil, 0, err
		}
		if id != "" {
			p.customerID = id
		}
	}
	switch n := len(c.LineItems); {
	case n == 0:
		return nil, 0, decode.Missing("data.checkout.lineItems")
	case n > lim.MaxLineItems:
		return nil, 0, &decode.Error{Class: decode.TooLarge, Field: "data.checkout.lineItems",
			Msg: strconv.Itoa(n) + " line items exceed the limit of " + strconv.Itoa(lim.MaxLineItems)}
	}
	currency, _ := jsonString("data.checkout.currencyCode", c.CurrencyCode)
	return p.lineItemEvents(c.LineItems, currency)
}

func (p pixel) lineItemEvents(items []json.RawMessage, currency string) ([]schemas.Event, int, *decode.Error) {
	out := make([]schemas.Event, 0, len(items))
	ignored := 0
	for k, raw := range items {
		field := "data.checkout.lineItems[" + strconv.Itoa(k) + "]"
		e, ok, err := p.lineItemEvent(field, raw)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			ignored++
			continue
		}
		if e.Currency == "" {
			e.Currency = currency
		}
		if len(items) > 1 && e.EventID != "" {
			e.EventID += "#" + strconv.Itoa(k)
		}
		out = append(out, e)
	}
	return out, ignored, nil
}

// lineItemEvent is the purchase of one CheckoutLineItem; ok is false for a
// line item without a variant (a custom item, a tip).
func (p pixel) lineItemEvent(field string, raw json.RawMessage) (schemas.Event, bool, *decode.Error) {
	var li struct {
		Quantity       json.RawMessage `json:"quantity"`
		Variant        json.RawMessage `json:"variant"`
		FinalLinePrice *money          `json:"finalLinePrice"`
	}
	if json.Unmarshal(raw, &li) != nil {
		return schemas.Event{}, false, decode.Bad(field, "not a CheckoutLineItem object")
	}
	if decode.IsNull(li.Variant) {
		return schemas.Event{}, false, nil
	}
	q, err := decode.Int(field+".quantity", li.Quantity)
	if err != nil {
		return schemas.Event{}, false, err
	}
	e, err := p.variantEvent(schemas.Purchase, field+".variant", li.Variant, q)
	if err != nil || e.Price != 0 || q <= 0 {
		return e, err == nil, err
	}
	total, currency, err := li.FinalLinePrice.read(field + ".finalLinePrice")
	e.Price = total / float64(q)
	if e.Currency == "" {
		e.Currency = currency
	}
	return e, err == nil, err
}
