package ingest_test

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

func TestTheCatalogLoopStoresProductsResolvesHandlesAndDelistsOnATombstone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	p1, p2 := schemas.ProductGID(1), schemas.ProductGID(2)
	scarf, err := h.codecs.EncodeProduct(schemas.Product{Handle: "green-scarf", Category: "scarves", Available: true})
	if err != nil {
		t.Fatal(err)
	}
	topic := h.cfg.CatalogTopic
	h.produce(
		kafka.Message{Topic: topic, Key: []byte(p1), Value: []byte(`{"gid":"` + p1 + `","handle":"red-hat","title":"Red hat","category":"hats","price":25,"available":true}`)},
		kafka.Message{Topic: topic, Key: []byte("2"), Value: scarf}, // numeric key, no gid in the value
		kafka.Message{Topic: topic, Key: []byte("x"), Value: []byte("nope")},
		kafka.Message{Topic: topic, Key: []byte(schemas.ProductGID(3)), Value: []byte(`{"gid":"gid://shopify/Product/4"}`)},
	)
	r := h.start(h.cfg)
	eventually(t, "the catalog stored", func() bool {
		return metric(r.reg, "recsys_ingest_catalog_total", "stored") == 2 && metric(r.reg, "recsys_ingest_catalog_total", "rejected") == 2
	})
	products, err := h.store.Products(ctx, []string{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	if p := products[p1]; p.Handle != "red-hat" || p.Category != "hats" || p.Price != 25 || !p.Available {
		t.Errorf("product 1 stored as %+v", p)
	}
	if p := products[p2]; p.Handle != "green-scarf" || p.GID != p2 || !p.Available {
		t.Errorf("product 2 stored as %+v", p)
	}

	h.produce(h.event(schemas.Event{EventID: "e1", UserID: "u1", Type: schemas.View, Product: "red-hat", Time: t0}))
	eventually(t, "the event applied", func() bool { return r.outcome("applied") == 1 })
	if in := h.interactions(h.readAll(h.cfg.OutputTopic))["e1"]; in.ProductGID != p1 {
		t.Errorf("an event naming handle red-hat came out with product %q, want %q", in.ProductGID, p1)
	}

	h.produce(kafka.Message{Topic: topic, Key: []byte(p1)}) // tombstone
	eventually(t, "the tombstone", func() bool { return metric(r.reg, "recsys_ingest_catalog_total", "delisted") == 1 })
	r.stop()
	products, err = h.store.Products(ctx, []string{p1})
	if p := products[p1]; err != nil || p.Available || p.Handle != "red-hat" {
		t.Errorf("after its tombstone, product 1 is %+v (%v); want unavailable, handle kept", p, err)
	}

	classes := map[string]string{}
	for _, m := range h.readAll(h.cfg.DLQTopic) {
		if header(m, ingest.HeaderSourceTopic) != topic {
			t.Errorf("DLQ record from %q", header(m, ingest.HeaderSourceTopic))
		}
		classes[string(m.Key)] = header(m, ingest.HeaderErrorClass)
	}
	if classes["x"] != "malformed" || classes[schemas.ProductGID(3)] != "invalid_value" || len(classes) != 2 {
		t.Errorf("DLQ classes by key: %v", classes)
	}
}
