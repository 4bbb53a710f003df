package schemas

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/linkedin/goavro/v2"
)

// Sentinel errors for classifying bad input.
var (
	// ErrInvalid: the bytes are not a valid record of the expected kind.
	ErrInvalid = errors.New("invalid record")
	// ErrUnsupportedSchema: the bytes are framed with a schema we cannot read.
	ErrUnsupportedSchema = errors.New("unsupported schema")
)

var (
	//go:embed event.avsc
	eventSchema string
	//go:embed interaction.avsc
	interactionSchema string
	//go:embed recommendation.avsc
	recommendationSchema string
	//go:embed model_update.avsc
	modelUpdateSchema string
	//go:embed product.avsc
	productSchema string
)

// Schemas returns the embedded Avro schema texts by record name.
func Schemas() map[string]string {
	return map[string]string{
		"Event": eventSchema, "Interaction": interactionSchema, "Recommendation": recommendationSchema,
		"ModelUpdate": modelUpdateSchema, "Product": productSchema,
	}
}

// Codecs encodes and decodes every record. Safe for concurrent use.
type Codecs struct {
	event, interaction, recommendation, modelUpdate, product *goavro.Codec
}

// NewCodecs compiles the embedded schemas.
func NewCodecs() (*Codecs, error) {
	var c Codecs
	for _, s := range []struct {
		dst  **goavro.Codec
		text string
	}{
		{&c.event, eventSchema}, {&c.interaction, interactionSchema},
		{&c.recommendation, recommendationSchema}, {&c.modelUpdate, modelUpdateSchema},
		{&c.product, productSchema},
	} {
		codec, err := goavro.NewCodec(s.text)
		if err != nil {
			return nil, fmt.Errorf("compiling schema: %w", err)
		}
		*s.dst = codec
	}
	return &c, nil
}

// singleObjectMagic starts every Avro single-object encoded value.
var singleObjectMagic = []byte{0xC3, 0x01}

// IsSingleObject reports whether b starts with the Avro single-object marker.
func IsSingleObject(b []byte) bool { return len(b) >= 10 && bytes.HasPrefix(b, singleObjectMagic) }

// IsConfluent reports whether b looks like the Confluent wire format
// (magic byte 0, 4-byte big-endian schema id, Avro binary).
func IsConfluent(b []byte) bool { return len(b) >= 5 && b[0] == 0 }

// ConfluentSchemaID returns the schema id of a Confluent-framed value.
func ConfluentSchemaID(b []byte) (uint32, bool) {
	if !IsConfluent(b) {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[1:5]), true
}

func encodeSingle(c *goavro.Codec, native map[string]any) ([]byte, error) {
	b, err := c.SingleFromNative(nil, native)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", c.TypeName(), err)
	}
	return b, nil
}

func decodeSingle(c *goavro.Codec, b []byte) (map[string]any, error) {
	if !IsSingleObject(b) {
		return nil, fmt.Errorf("%w: not an Avro single-object value", ErrInvalid)
	}
	native, rest, err := c.NativeFromSingle(b)
	if err != nil {
		var wrong goavro.ErrWrongCodec
		if errors.As(err, &wrong) {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedSchema, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return asRecord(native, rest)
}

func decodeBinary(c *goavro.Codec, b []byte) (map[string]any, error) {
	native, rest, err := c.NativeFromBinary(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return asRecord(native, rest)
}

func asRecord(native any, rest []byte) (map[string]any, error) {
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrInvalid, len(rest))
	}
	m, ok := native.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not a record", ErrInvalid)
	}
	return m, nil
}

// EncodeEvent encodes e as Avro single-object.
func (c *Codecs) EncodeEvent(e Event) ([]byte, error) { return encodeSingle(c.event, eventNative(e)) }

// EncodeEventConfluent encodes e in the Confluent wire format under schemaID.
func (c *Codecs) EncodeEventConfluent(e Event, schemaID uint32) ([]byte, error) {
	buf := make([]byte, 5, 64)
	binary.BigEndian.PutUint32(buf[1:], schemaID)
	b, err := c.event.BinaryFromNative(buf, eventNative(e))
	if err != nil {
		return nil, fmt.Errorf("encoding Event: %w", err)
	}
	return b, nil
}

// DecodeEvent decodes a single-object encoded Event.
func (c *Codecs) DecodeEvent(b []byte) (Event, error) {
	m, err := decodeSingle(c.event, b)
	if err != nil {
		return Event{}, err
	}
	return eventFromNative(m), nil
}

// DecodeEventBinary decodes raw Avro binary written with the embedded Event schema
// (the payload of a Confluent-framed value after its 5-byte header).
func (c *Codecs) DecodeEventBinary(b []byte) (Event, error) {
	m, err := decodeBinary(c.event, b)
	if err != nil {
		return Event{}, err
	}
	return eventFromNative(m), nil
}

// EncodeInteraction encodes i as Avro single-object. It is hand-written (see
// avro_interaction.go) and writes the same bytes as goavroEncodeInteraction.
func (c *Codecs) EncodeInteraction(i Interaction) ([]byte, error) {
	return appendInteraction(nil, c.interaction.Rabin, i)
}

// DecodeInteraction decodes a single-object encoded Interaction. It is
// hand-written (see avro_interaction.go) and accepts and rejects what
// goavroDecodeInteraction does.
func (c *Codecs) DecodeInteraction(b []byte) (Interaction, error) {
	return decodeInteraction(c.interaction.Rabin, b)
}

// goavroEncodeInteraction is the reference encoder, through goavro natives;
// the tests hold EncodeInteraction to its bytes.
func (c *Codecs) goavroEncodeInteraction(i Interaction) ([]byte, error) {
	return encodeSingle(c.interaction, interactionNative(i))
}

// goavroDecodeInteraction is the reference decoder, through goavro natives.
func (c *Codecs) goavroDecodeInteraction(b []byte) (Interaction, error) {
	m, err := decodeSingle(c.interaction, b)
	if err != nil {
		return Interaction{}, err
	}
	return interactionFromNative(m), nil
}

// EncodeRecommendation encodes r as Avro single-object.
func (c *Codecs) EncodeRecommendation(r Recommendation) ([]byte, error) {
	return encodeSingle(c.recommendation, recommendationNative(r))
}

// DecodeRecommendation decodes a single-object encoded Recommendation.
func (c *Codecs) DecodeRecommendation(b []byte) (Recommendation, error) {
	m, err := decodeSingle(c.recommendation, b)
	if err != nil {
		return Recommendation{}, err
	}
	return recommendationFromNative(m), nil
}

// EncodeModelUpdate encodes u as Avro single-object.
func (c *Codecs) EncodeModelUpdate(u ModelUpdate) ([]byte, error) {
	return encodeSingle(c.modelUpdate, modelUpdateNative(u))
}

// DecodeModelUpdate decodes a single-object encoded ModelUpdate.
func (c *Codecs) DecodeModelUpdate(b []byte) (ModelUpdate, error) {
	m, err := decodeSingle(c.modelUpdate, b)
	if err != nil {
		return ModelUpdate{}, err
	}
	return modelUpdateFromNative(m), nil
}

// EncodeProduct encodes p as Avro single-object.
func (c *Codecs) EncodeProduct(p Product) ([]byte, error) {
	return encodeSingle(c.product, productNative(p))
}

// DecodeProduct decodes a single-object encoded Product.
func (c *Codecs) DecodeProduct(b []byte) (Product, error) {
	m, err := decodeSingle(c.product, b)
	if err != nil {
		return Product{}, err
	}
	return productFromNative(m), nil
}
