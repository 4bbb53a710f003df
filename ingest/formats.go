package ingest

import (
	"context"
	"fmt"
	"iter"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest/registry"
	"github.com/recsys/recsys/schemas"
)

// FormatOptions configures the built-in formats.
type FormatOptions struct {
	// Limits bound the events of one record (MaxEventsPerRecord,
	// MaxLineItems); defaulted.
	Limits Limits
	// Schemas resolves the schema ids of Confluent-framed Avro. Nil reads
	// every payload with the embedded Event schema (EmbeddedSchema).
	Schemas SchemaResolver
}

// Formats returns the built-in formats in auto-detection order: the binary
// frames first (their magic bytes cannot start JSON or a query string), then
// the formats recognised by their own keys (Snowplow tracker payloads,
// Snowplow enriched events, Shopify pixel events), canonical JSON last.
func Formats(c *schemas.Codecs, opts FormatOptions) []Format {
	lim := opts.Limits.withDefaults()
	var resolver SchemaResolver = EmbeddedSchema{Codecs: c}
	if opts.Schemas != nil {
		resolver = opts.Schemas
	}
	return []Format{
		ConfluentAvro{Schemas: resolver},
		SingleObjectAvro{Codecs: c},
		SnowplowTracker{Limits: lim},
		SnowplowEnriched{Limits: lim},
		ShopifyPixel{Limits: lim},
		CanonicalJSON{},
	}
}

// formats returns the formats a Stage or Pipeline with c uses: with a
// registry client when c.SchemaRegistry is set.
func (c Config) formats(codecs *schemas.Codecs) ([]Format, error) {
	opts := FormatOptions{Limits: c.Limits}
	if c.SchemaRegistry != "" {
		rc, err := registry.New(registry.Config{URL: c.SchemaRegistry})
		if err != nil {
			return nil, fmt.Errorf("ingest: schema registry: %w", err)
		}
		opts.Schemas = rc
	}
	return Formats(codecs, opts), nil
}

// validateRegistry reports a schema registry URL that cannot be used.
func (c Config) validateRegistry() []error {
	if c.SchemaRegistry == "" {
		return nil
	}
	if _, err := registry.New(registry.Config{URL: c.SchemaRegistry}); err != nil {
		return []error{fmt.Errorf("ingest: schema registry: %w", err)}
	}
	return nil
}

// NewPipelineFor returns the Pipeline a Stage with cfg would decode with
// (its Format, Limits and SchemaRegistry; brokers and topics are not
// needed), for checking records without Kafka, as `recsys validate` does.
// catalog resolves handles; nil keeps them as HandlePrefix+handle.
func NewPipelineFor(cfg Config, catalog *features.Store) (*Pipeline, error) {
	cfg = cfg.withDefaults()
	codecs, err := schemas.NewCodecs()
	if err != nil {
		return nil, fmt.Errorf("building codecs: %w", err)
	}
	formats, err := cfg.formats(codecs)
	if err != nil {
		return nil, err
	}
	return NewPipeline(formats, cfg.Format, cfg.Limits, catalog)
}

// SchemaFetcher is a SchemaResolver that reads writer schemas from a
// service (registry.Client). Pipeline.ProcessBatch and the Stage call Fetch
// with the schema ids of a batch before decoding it, and retry its errors,
// which are all transient: so DecodeEvent never waits on the network, and
// a registry outage stalls the partition instead of filling the DLQ.
type SchemaFetcher interface {
	SchemaResolver
	Fetch(ctx context.Context, ids []uint32) error
}

// fetcher returns the SchemaFetcher of the pipeline's Confluent format.
func (p *Pipeline) fetcher() SchemaFetcher {
	formats := p.formats
	if p.pinned != nil {
		formats = []Format{p.pinned}
	}
	for _, f := range formats {
		if c, ok := f.(ConfluentAvro); ok {
			if sf, ok := c.Schemas.(SchemaFetcher); ok {
				return sf
			}
		}
	}
	return nil
}

// fetchSchemas fetches the writer schemas of the Confluent-framed values.
func (p *Pipeline) fetchSchemas(ctx context.Context, values iter.Seq[[]byte]) error {
	sf := p.fetcher()
	if sf == nil {
		return nil
	}
	var ids []uint32
	seen := map[uint32]bool{}
	for v := range values {
		if id, ok := schemas.ConfluentSchemaID(v); ok && len(v) <= p.limits.MaxRecordBytes && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if err := sf.Fetch(ctx, ids); err != nil {
		return fmt.Errorf("fetching writer schemas: %w", err)
	}
	return nil
}

func recordValues(recs []Record) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for _, r := range recs {
			if !yield(r.Value) {
				return
			}
		}
	}
}

// fetchSchemas fetches the writer schemas a batch names, retrying until the
// registry answers or ctx ends.
func (s *Stage) fetchSchemas(ctx context.Context, msgs []kafka.Message) error {
	values := func(yield func([]byte) bool) {
		for _, m := range msgs {
			if !yield(m.Value) {
				return
			}
		}
	}
	return s.retry(ctx, "fetching writer schemas", func(ctx context.Context) error {
		return s.pipe.fetchSchemas(ctx, values)
	})
}
