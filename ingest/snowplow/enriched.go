package snowplow

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/ingest/decode"
)

// Analytics SDK keys of the shredded self-describing data recsys reads.
const (
	actionKey      = "unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_"
	productKey     = "contexts_com_snowplowanalytics_snowplow_ecommerce_product_1"
	transactionKey = "contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1"
)

// DecodeEnriched decodes one enriched event in the Analytics SDK JSON shape.
// The unshredded form (unstruct_event and contexts holding self-describing
// JSON) is read too.
func DecodeEnriched(value []byte, lim Limits) (decode.Batch, error) {
	lim = lim.withDefaults()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(value, &m); err != nil || m == nil {
		return decode.Batch{}, decode.Bad("", "not a JSON object")
	}
	var b decode.Batch
	h, err := enrichedHit(m)
	add(&b, 0, h, err, lim)
	return b, nil
}

func enrichedHit(m map[string]json.RawMessage) (hit, *decode.Error) {
	var h hit
	s := func(key string) (string, *decode.Error) { return jsonID(key, m[key]) }
	var f [5]string
	for k, key := range []string{"event", "event_id", "user_id", "domain_userid", "domain_sessionid"} {
		var err *decode.Error
		if f[k], err = s(key); err != nil {
			return h, err
		}
	}
	event := f[0]
	h.eventID, h.sessionID = f[1], f[4]
	h.identify(f[2], f[3], "user_id")
	h.time, h.timeErr = enrichedTime(m)
	switch event {
	case "":
		return h, decode.Missing("event")
	case "page_view":
		url, err := jsonString("page_url", m["page_url"])
		h.kind, h.url = pageView, url
		return h, err
	case "unstruct":
		return h, h.readEnrichedEvent(m)
	}
	return h, nil // page_ping, struct, transaction, …: ignored
}

// readEnrichedEvent reads the ecommerce action and its entities.
func (h *hit) readEnrichedEvent(m map[string]json.RawMessage) *decode.Error {
	if raw, ok := m["unstruct_event"]; ok && !decode.IsNull(raw) {
		return h.readUnshredded(m, raw)
	}
	if raw, ok := m[actionKey+"1"]; ok && !decode.IsNull(raw) {
		h.kind = ecommerce
		if err := h.readAction(actionKey+"1", raw); err != nil {
			return err
		}
		return h.readShreddedEntities(m)
	}
	for key := range m {
		if strings.HasPrefix(key, actionKey) && !decode.IsNull(m[key]) {
			return &decode.Error{Class: decode.UnsupportedSchema, Field: key, Msg: "only model 1 of " + actionName + " is supported"}
		}
	}
	return nil // another self-describing event: ignored
}

func (h *hit) readShreddedEntities(m map[string]json.RawMessage) *decode.Error {
	var products, transactions []json.RawMessage
	if raw := m[productKey]; !decode.IsNull(raw) && json.Unmarshal(raw, &products) != nil {
		return decode.Bad(productKey, "not an array of entities")
	}
	if raw := m[transactionKey]; !decode.IsNull(raw) && json.Unmarshal(raw, &transactions) == nil && len(transactions) > 0 {
		h.currency = transactionCurrency(transactions[0])
	}
	raws := make([][]byte, len(products))
	for k, p := range products {
		raws[k] = p
	}
	h.setProducts(productKey, raws)
	return nil
}

// readUnshredded reads unstruct_event and contexts as self-describing JSON,
// given as objects or as strings holding them.
func (h *hit) readUnshredded(m map[string]json.RawMessage, ue json.RawMessage) *decode.Error {
	ueb, err := embedded("unstruct_event", ue)
	if err != nil {
		return err
	}
	if err := h.readEvent("unstruct_event", ueb); err != nil || h.kind != ecommerce {
		return err
	}
	co, ok := m["contexts"]
	if !ok || decode.IsNull(co) {
		h.productsField = "contexts"
		return nil
	}
	cob, err := embedded("contexts", co)
	if err != nil {
		return err
	}
	return h.readContexts("contexts", cob)
}

func embedded(field string, raw json.RawMessage) ([]byte, *decode.Error) {
	if firstByte(raw) != '"' {
		return raw, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, decode.Bad(field, "not a JSON string")
	}
	return []byte(s), nil
}

// enrichedTime reads derived_tstamp, else dvce_created_tstamp, else
// collector_tstamp: RFC 3339, or the TSV form "2006-01-02 15:04:05.000".
func enrichedTime(m map[string]json.RawMessage) (time.Time, *decode.Error) {
	for _, key := range []string{"derived_tstamp", "dvce_created_tstamp", "collector_tstamp"} {
		s, err := jsonString(key, m[key])
		if err != nil {
			return time.Time{}, err
		}
		if s == "" {
			continue
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, decode.Invalid(key, "not an RFC 3339 time: "+strconv.Quote(clip(s)))
	}
	return time.Time{}, decode.Missing("derived_tstamp")
}
