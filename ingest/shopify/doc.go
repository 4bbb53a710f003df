// Package shopify decodes Shopify Web Pixels standard events, as a relay
// (a custom pixel posting analytics.subscribe events to an HTTP endpoint
// that writes them to Kafka) sends them: one event object per record, or a
// JSON array of them.
//
// Produces schemas.Event values:
//   - product_viewed: a view of data.productVariant;
//   - product_added_to_cart, product_removed_from_cart: an add_to_cart or
//     remove_from_cart of data.cartLine.merchandise, quantity
//     data.cartLine.quantity;
//   - checkout_completed: a purchase per data.checkout.lineItems entry, with
//     its quantity and the unit price of its variant (else finalLinePrice
//     divided by the quantity); event ids are "<id>#<line item index>" when
//     the checkout has several line items;
//   - every other event (collection_viewed, search_submitted, page_viewed,
//     cart_viewed, checkout_started, custom and DOM events, and line items
//     without a variant) is counted as ignored.
//
// Product and variant ids are kept as sent, numeric or GID: ingest turns a
// numeric product id into gid://shopify/Product/<id> and a numeric variant
// id into gid://shopify/ProductVariant/<id>. The price is
// productVariant.price.amount (a number, or a string holding one); the
// currency its currencyCode.
//
// User key: the customer id when the event carries one
// (data.checkout.order.customer.id, or customerId / customer.id that a relay
// copies from the pixel's init.data.customer), else clientId; an event with
// both also yields an Alias, as a Snowplow event with duid and uid does.
// Event id: id. Time: timestamp (ISO 8601). Web Pixels have no session id.
//
// Errors: a record that cannot be read at all is a *decode.Error; a bad event or
// line item is a Reject of its event, so the rest of the record still
// counts. Error texts never quote values of the event's context, customer
// or checkout (which hold emails, addresses, tokens and user agents); the
// events produced carry none of them by construction.
//
// The functions keep no state and are safe for concurrent use.
package shopify
