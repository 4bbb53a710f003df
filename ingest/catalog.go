package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest/produce"
	"github.com/recsys/recsys/schemas"
)

// runCatalog is the catalog loop: catalog.products in; the Redis catalog
// (and the DLQ for bad records) out.
func (s *Stage) runCatalog(ctx context.Context) error {
	group := s.cfg.GroupID + "-catalog"
	w, err := s.newWriter()
	if err != nil {
		return err
	}
	defer w.Close()
	r := s.newReader(s.cfg.CatalogTopic, group)
	defer func() {
		if err := r.Close(); err != nil {
			s.log.Warn("closing reader", "topic", s.cfg.CatalogTopic, "err", err)
		}
	}()
	s.log.Info("loading catalog", "topic", s.cfg.CatalogTopic, "group", group)
	s.consume(ctx, r, whole(func(ctx context.Context, msgs []kafka.Message) error {
		return s.handleCatalog(ctx, w, msgs)
	}))
	return nil
}

// catalogChange is the last word of a batch on one product.
type catalogChange struct {
	product schemas.Product
	delist  bool
}

// handleCatalog writes the batch's products and delistings, and parks bad
// records in the DLQ.
func (s *Stage) handleCatalog(ctx context.Context, w *produce.Producer, msgs []kafka.Message) error {
	puts, delists, dlq, counts := s.sortCatalog(msgs)
	err := s.retry(ctx, "writing catalog", func(ctx context.Context) error {
		if err := s.store.PutProducts(ctx, puts); err != nil {
			return err
		}
		return s.store.Delist(ctx, delists)
	})
	if err == nil && len(dlq) > 0 {
		err = s.retry(ctx, "producing DLQ records", func(ctx context.Context) error { return w.WriteMessages(ctx, dlq...) })
	}
	if err != nil {
		return err
	}
	for o, n := range counts {
		s.m.catalog.WithLabelValues(o).Add(float64(n))
	}
	for _, m := range dlq {
		s.m.dlq.WithLabelValues(header(m, HeaderErrorClass)).Inc()
	}
	return nil
}

// sortCatalog decodes a batch into products to store, products to delist
// and DLQ records. Within a batch only the last record per product counts,
// as after log compaction.
func (s *Stage) sortCatalog(msgs []kafka.Message) (puts []schemas.Product, delists []string, dlq []kafka.Message, counts map[string]int) {
	last := map[string]catalogChange{}
	var order []string
	counts = map[string]int{}
	for _, m := range msgs {
		ch, err := s.decodeCatalog(m)
		if err != nil {
			dlq = append(dlq, dlqMessage(s.cfg.DLQTopic, m, err, -1))
			counts[catalogRejected]++
			s.log.Debug("rejected catalog record", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "err", err)
			continue
		}
		if _, ok := last[ch.product.GID]; !ok {
			order = append(order, ch.product.GID)
		}
		last[ch.product.GID] = ch
		if ch.delist {
			counts[catalogDelisted]++
		} else {
			counts[catalogStored]++
		}
	}
	for _, gid := range order {
		if ch := last[gid]; ch.delist {
			delists = append(delists, gid)
		} else {
			puts = append(puts, ch.product)
		}
	}
	return puts, delists, dlq, counts
}

// decodeCatalog reads one catalog record: key = product GID (or numeric
// id), value = a Product as JSON or Avro single-object, empty = tombstone.
func (s *Stage) decodeCatalog(m kafka.Message) (catalogChange, *Error) {
	if len(m.Value) == 0 { // kafka-go reads a null value as empty
		gid, err := catalogGID("key", string(m.Key))
		return catalogChange{product: schemas.Product{GID: gid}, delist: true}, err
	}
	if n := len(m.Value); n > s.cfg.Limits.MaxRecordBytes {
		return catalogChange{}, &Error{Class: TooLarge, Msg: fmt.Sprintf("record of %d bytes exceeds the limit of %d", n, s.cfg.Limits.MaxRecordBytes)}
	}
	p, err := s.decodeProduct(m.Value)
	if err != nil {
		return catalogChange{}, Classify(err)
	}
	if p.GID == "" {
		p.GID = string(m.Key)
	}
	gid, verr := catalogGID("gid", p.GID)
	if verr != nil {
		return catalogChange{}, verr
	}
	if len(m.Key) > 0 {
		if kgid, _ := catalogGID("key", string(m.Key)); kgid != gid {
			return catalogChange{}, invalid("key", "%q names another product than the value's gid %q", clip(string(m.Key)), gid)
		}
	}
	p.GID = gid
	return catalogChange{product: p}, s.checkProduct(p)
}

func (s *Stage) decodeProduct(v []byte) (schemas.Product, error) {
	if schemas.IsSingleObject(v) {
		return s.codecs.DecodeProduct(v)
	}
	if c, _ := firstNonSpace(v); c != '{' {
		return schemas.Product{}, &Error{Class: Malformed, Msg: "not a JSON or Avro single-object product"}
	}
	var p schemas.Product
	if err := json.Unmarshal(v, &p); err != nil {
		return schemas.Product{}, fmt.Errorf("%w: %v", schemas.ErrInvalid, err)
	}
	return p, nil
}

func (s *Stage) checkProduct(p schemas.Product) *Error {
	maxLen := s.cfg.Limits.MaxStringLen
	if _, err := optionalID("handle", p.Handle, maxLen); err != nil {
		return err
	}
	if strings.ContainsAny(p.Handle, "/:?#") {
		return invalid("handle", "%q is not a product handle", p.Handle)
	}
	if len(p.Category) > maxLen || !utf8.ValidString(p.Category) {
		return invalid("category", "longer than %d bytes or not UTF-8", maxLen)
	}
	if len(p.Title) > 4*maxLen || !utf8.ValidString(p.Title) {
		return invalid("title", "longer than %d bytes or not UTF-8", 4*maxLen)
	}
	if math.IsNaN(p.Price) || math.IsInf(p.Price, 0) || p.Price < 0 {
		return invalid("price", "%v is not a finite, non-negative amount", p.Price)
	}
	return nil
}

// catalogGID accepts a product GID or a positive numeric id.
func catalogGID(field, v string) (string, *Error) {
	if v == "" {
		return "", missing(field)
	}
	if _, ok := schemas.ParseProductGID(v); ok {
		return v, nil
	}
	if isDigits(v) {
		if gid, err := normalizeProduct(v, len(v)); err == nil {
			return gid, nil
		}
	}
	return "", invalid(field, "%q is not a product GID or numeric id", clip(v))
}
