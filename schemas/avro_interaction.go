package schemas

import (
	"encoding/binary"
	"fmt"

	"github.com/linkedin/goavro/v2"
)

// A hand-written Avro single-object codec for Interaction (interaction.avsc),
// used by EncodeInteraction and DecodeInteraction. It writes the bytes the
// goavro path (goavroEncodeInteraction) writes and accepts what it accepts,
// without building map[string]any natives. The field order below is the
// schema's: a change to interaction.avsc must be made here too, and the
// differential tests in avro_interaction_test.go fail until it is.

// interactionEventTypes are the EventType enum symbols in schema order; the
// wire carries the index.
var interactionEventTypes = [...]EventType{View, AddToCart, RemoveFromCart, Purchase}

// eventTypeIndex is the enum index of t, false if t is not a symbol.
func eventTypeIndex(t EventType) (int32, bool) {
	for k, s := range interactionEventTypes {
		if s == t {
			return int32(k), true
		}
	}
	return 0, false
}

// interactionSize bounds the encoded size of i: header, string bytes, a
// double, and the varints (at most 10 bytes each: 7 lengths, 5 numbers).
func interactionSize(i Interaction) int {
	return 10 + 8 + 12*binary.MaxVarintLen64 +
		len(i.EventID) + len(i.UserID) + len(i.SessionID) + len(i.ProductGID) +
		len(i.VariantGID) + len(i.Currency) + len(i.Source.Topic)
}

// appendInteraction appends the single-object encoding of i under the
// schema fingerprint. Quantity and Partition are truncated to 32 bits, as
// the goavro path does; a Type that is not an EventType symbol is an error.
func appendInteraction(dst []byte, fingerprint uint64, i Interaction) ([]byte, error) {
	typ, ok := eventTypeIndex(i.Type)
	if !ok {
		return nil, fmt.Errorf("encoding Interaction: type %q is not one of the EventType symbols %v",
			i.Type, interactionEventTypes)
	}
	if dst == nil {
		dst = make([]byte, 0, interactionSize(i))
	}
	dst = append(dst, singleObjectMagic...)
	dst = binary.LittleEndian.AppendUint64(dst, fingerprint)
	dst = appendString(dst, i.EventID)
	dst = appendString(dst, i.UserID)
	dst = appendString(dst, i.SessionID)
	dst = appendLong(dst, int64(typ))
	dst = appendString(dst, i.ProductGID)
	dst = appendString(dst, i.VariantGID)
	dst = appendInt(dst, int32(i.Quantity))
	dst = appendDouble(dst, i.Price)
	dst = appendString(dst, i.Currency)
	dst = appendLong(dst, unixMillis(i.Time))
	dst = appendString(dst, i.Source.Topic)
	dst = appendInt(dst, int32(i.Source.Partition))
	dst = appendLong(dst, i.Source.Offset)
	return dst, nil
}

// decodeInteraction decodes a single-object encoded Interaction, classifying
// failures as decodeSingle does: no single-object marker is ErrInvalid,
// another schema's fingerprint is ErrUnsupportedSchema (whatever follows
// it), a malformed or truncated body or trailing bytes are ErrInvalid.
func decodeInteraction(fingerprint uint64, b []byte) (Interaction, error) {
	if !IsSingleObject(b) {
		return Interaction{}, fmt.Errorf("%w: not an Avro single-object value", ErrInvalid)
	}
	if fp := binary.LittleEndian.Uint64(b[2:10]); fp != fingerprint {
		return Interaction{}, fmt.Errorf("%w: %v", ErrUnsupportedSchema, goavro.ErrWrongCodec(fp))
	}
	r := avroReader{s: string(b[10:])}
	i := r.interaction()
	if r.err != nil {
		return Interaction{}, r.err
	}
	if n := r.rest(); n != 0 {
		return Interaction{}, fmt.Errorf("%w: %d trailing bytes", ErrInvalid, n)
	}
	return i, nil
}

// interaction reads the Interaction record body; check r.err after.
func (r *avroReader) interaction() Interaction {
	var i Interaction
	i.EventID = r.string("Interaction.event_id")
	i.UserID = r.string("Interaction.user_id")
	i.SessionID = r.string("Interaction.session_id")
	i.Type = interactionEventTypes[r.enum("Interaction.type", len(interactionEventTypes))]
	i.ProductGID = r.string("Interaction.product_gid")
	i.VariantGID = r.string("Interaction.variant_gid")
	i.Quantity = int(r.int("Interaction.quantity"))
	i.Price = r.double("Interaction.price")
	i.Currency = r.string("Interaction.currency")
	i.Time = timeFromMillis(r.long("Interaction.ts"))
	i.Source.Topic = r.string("Interaction.source.topic")
	i.Source.Partition = int(r.int("Interaction.source.partition"))
	i.Source.Offset = r.long("Interaction.source.offset")
	return i
}
