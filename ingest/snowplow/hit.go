package snowplow

import (
	"strconv"
	"time"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/schemas"
)

// handlePrefix marks a product that is a storefront handle; it is
// ingest.HandlePrefix (a test keeps the two equal).
const handlePrefix = "handle:"

// kind is what a tracker event is, as far as recsys cares.
type kind int

const (
	other     kind = iota // counted as ignored
	pageView              // e=pv: a product view if the URL is a product page
	ecommerce             // snowplow_ecommerce_action
)

// hit is one tracker event, whichever shape carried it, reduced to what
// recsys uses. Fields that may hold personal data (url) never leave it.
type hit struct {
	kind      kind
	eventID   string
	user      string // uid, else duid
	userField string // the parameter user was missing from, for the error
	sessionID string
	time      time.Time
	timeErr   *decode.Error // a missing or bad timestamp, reported only for interactions
	alias     decode.Alias
	url       string
	// action is the ecommerce action type; products its product entities,
	// productsField where they came from; currency the transaction's.
	action        string
	products      []product
	productsField string
	productsErr   *decode.Error
	currency      string
}

// product is one product entity.
type product struct {
	id, variant, currency string
	quantity              int
	price                 float64
}

// actionTypes maps the ecommerce action types that are interactions.
func actionType(action string) (schemas.EventType, bool) {
	switch action {
	case "product_view":
		return schemas.View, true
	case "add_to_cart":
		return schemas.AddToCart, true
	case "remove_from_cart":
		return schemas.RemoveFromCart, true
	case "transaction":
		return schemas.Purchase, true
	}
	return "", false
}

// ignoredActions are the other types of snowplow_ecommerce_action 1-0-2.
func ignoredAction(action string) bool {
	switch action {
	case "list_view", "list_click", "promo_view", "promo_click", "checkout_step", "refund", "trns_error":
		return true
	}
	return false
}

// events turns h into interactions; ignored reports an event that is none.
func (h hit) events(lim Limits) (events []schemas.Event, ignored bool, err *decode.Error) {
	switch h.kind {
	case pageView:
		handle, variant, ok, err := productFromURL(h.url)
		if err != nil || !ok {
			return nil, err == nil, err
		}
		e, err := h.event(schemas.View)
		if err != nil {
			return nil, false, err
		}
		e.Product, e.Variant = handlePrefix+handle, variant
		return []schemas.Event{e}, false, nil
	case ecommerce:
		return h.ecommerceEvents(lim)
	}
	return nil, true, nil
}

func (h hit) ecommerceEvents(lim Limits) ([]schemas.Event, bool, *decode.Error) {
	typ, ok := actionType(h.action)
	switch {
	case !ok && ignoredAction(h.action):
		return nil, true, nil
	case !ok && h.action == "":
		return nil, false, decode.Missing("type")
	case !ok:
		return nil, false, decode.Invalid("type", "unknown ecommerce action "+strconv.Quote(clip(h.action)))
	case h.productsErr != nil:
		return nil, false, h.productsErr
	case len(h.products) == 0:
		return nil, false, &decode.Error{Class: decode.MissingField, Field: h.productsField, Msg: "no product entity"}
	case len(h.products) > lim.MaxProducts:
		return nil, false, &decode.Error{Class: decode.TooLarge, Field: h.productsField,
			Msg: strconv.Itoa(len(h.products)) + " product entities exceed the limit of " + strconv.Itoa(lim.MaxProducts)}
	}
	base, err := h.event(typ)
	if err != nil {
		return nil, false, err
	}
	out := make([]schemas.Event, 0, len(h.products))
	for k, p := range h.products {
		e := base
		e.Product, e.Variant, e.Quantity, e.Price, e.Currency = p.id, p.variant, p.quantity, p.price, p.currency
		if e.Currency == "" {
			e.Currency = h.currency
		}
		if len(h.products) > 1 && e.EventID != "" {
			e.EventID += "#" + strconv.Itoa(k)
		}
		out = append(out, e)
	}
	return out, false, nil
}

// event is the part of an interaction every product of h shares.
func (h hit) event(typ schemas.EventType) (schemas.Event, *decode.Error) {
	if h.user == "" {
		return schemas.Event{}, decode.Missing(h.userField)
	}
	if h.timeErr != nil {
		return schemas.Event{}, h.timeErr
	}
	return schemas.Event{EventID: h.eventID, UserID: h.user, SessionID: h.sessionID, Type: typ, Time: h.time}, nil
}

// identify sets the user key and the alias from the logged-in and the
// anonymous id.
func (h *hit) identify(user, anonymous, userField string) {
	h.user, h.userField = user, userField
	if user == "" {
		h.user = anonymous
	} else if anonymous != "" && anonymous != user {
		h.alias = decode.Alias{Anonymous: anonymous, User: user}
	}
}
