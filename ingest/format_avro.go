package ingest

import (
	"github.com/recsys/recsys/schemas"
)

// SingleObjectAvro is an Event in Avro single-object encoding (magic C3 01,
// then the CRC-64-AVRO fingerprint of the writer schema). A fingerprint other
// than the embedded Event schema's is rejected as unsupported_schema.
type SingleObjectAvro struct {
	Codecs *schemas.Codecs
}

// Name implements Format.
func (SingleObjectAvro) Name() string { return "avro" }

// Detect implements Format.
func (SingleObjectAvro) Detect(value []byte) bool { return schemas.IsSingleObject(value) }

// Decode implements Format.
func (f SingleObjectAvro) Decode(value []byte) (Decoded, error) {
	e, err := f.Codecs.DecodeEvent(value)
	if err != nil {
		return Decoded{}, Classify(err)
	}
	return Decoded{Events: []schemas.Event{e}}, nil
}

// SchemaResolver decodes the Avro payload of a Confluent-framed value by the
// schema id in its frame. It is the seam for a schema registry client, which
// would fetch (and cache) the writer schema of an id and resolve it against
// the embedded Event schema.
//
// Contract: safe for concurrent use; returns errors wrapping
// schemas.ErrUnsupportedSchema for an id it cannot read and
// schemas.ErrInvalid for a payload that does not match its schema.
type SchemaResolver interface {
	DecodeEvent(schemaID uint32, payload []byte) (schemas.Event, error)
}

// EmbeddedSchema reads every Confluent payload with the embedded Event
// schema, whatever the id. That is right when producers register exactly
// that schema, and wrong (a decode error, or garbage that happens to decode)
// when they evolve it: use a registry-backed SchemaResolver then.
type EmbeddedSchema struct {
	Codecs *schemas.Codecs
}

// DecodeEvent implements SchemaResolver.
func (s EmbeddedSchema) DecodeEvent(_ uint32, payload []byte) (schemas.Event, error) {
	return s.Codecs.DecodeEventBinary(payload)
}

// ConfluentAvro is an Event in the Confluent wire format: magic byte 0, a
// 4-byte big-endian schema id, Avro binary.
type ConfluentAvro struct {
	Schemas SchemaResolver
}

// Name implements Format.
func (ConfluentAvro) Name() string { return "confluent-avro" }

// Detect implements Format.
func (ConfluentAvro) Detect(value []byte) bool { return schemas.IsConfluent(value) }

// Decode implements Format.
func (f ConfluentAvro) Decode(value []byte) (Decoded, error) {
	id, ok := schemas.ConfluentSchemaID(value)
	if !ok {
		return Decoded{}, &Error{Class: Malformed, Msg: "not a Confluent-framed value"}
	}
	e, err := f.Schemas.DecodeEvent(id, value[5:])
	if err != nil {
		return Decoded{}, Classify(err)
	}
	return Decoded{Events: []schemas.Event{e}}, nil
}
