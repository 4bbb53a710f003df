// Package snowplow decodes Snowplow clickstream into recsys events.
//
// Consumes two shapes of record value:
//   - The tracker protocol: a collector POST body
//     (iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x, a
//     "data" array of events whose parameters are strings), one event as a
//     JSON object of parameters, or one GET query string ("e=pv&url=…", with
//     or without the "/i?" path). An HTTP relay's envelope whose "message" is
//     the POST body is unwrapped.
//   - Enriched events as JSON in the shape of the Snowplow Analytics SDKs
//     (event_id, domain_userid, user_id, domain_sessionid, derived_tstamp,
//     unstruct_event_<vendor>_<name>_<model>, contexts_<vendor>_<name>_<model>).
//
// Produces schemas.Event values, one per product the event is about:
//   - a page view (e=pv, event=page_view) of a storefront product URL
//     (/products/<handle>, also after a locale or a collection, with
//     ?variant=<id>) is a view of "handle:<handle>", for ingest to resolve;
//   - the snowplow_ecommerce_action self-describing event (model 1) with
//     type product_view, add_to_cart, remove_from_cart or transaction is a
//     view, add_to_cart, remove_from_cart or purchase of each product entity
//     (com.snowplowanalytics.snowplow.ecommerce/product, model 1) attached to
//     it;
//   - every other event (page pings, structured events, other schemas,
//     list_view, list_click, promotions, checkout steps, refunds) is counted
//     as ignored.
//
// User key: uid (user_id) when set, else duid (domain_userid); an event with
// both also yields an Alias. Session: sid (domain_sessionid). Event id: eid
// (event_id), suffixed "#<k>" by product entity when one event names several
// products. Time: dtm (Unix ms), else ttm; enriched: derived_tstamp, else
// dvce_created_tstamp, else collector_tstamp.
//
// Errors: a record that cannot be read at all is a *decode.Error returned by the
// decode function; a bad event inside it is a Reject, so the other events of
// a POST still count. Error texts never quote the value of a parameter that
// may carry personal data or credentials (url, refr, page, ip, ua, cookies,
// user and network ids, tnuid): a DLQ header or a log line must not leak
// what the DLQ value itself holds. The events produced carry none of those
// parameters by construction.
//
// The functions keep no state and are safe for concurrent use.
package snowplow
