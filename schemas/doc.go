// Package schemas owns the records that cross Kafka: the canonical clickstream
// Event, the normalized Interaction (the training log), the Recommendation
// output, the ModelUpdate announcement and the catalog Product.
//
// The Avro schemas are the *.avsc files beside this file, embedded at build
// time. Codecs are built once by NewCodecs and are safe for concurrent use;
// typed Go records go in and come out, goavro's map form never leaves the
// package. Internal topics use Avro single-object encoding (magic C3 01 and
// the schema's CRC-64-AVRO fingerprint), so a reader can tell schema drift
// from garbage; the input topic may also carry Confluent-framed Avro (magic 0,
// 4-byte schema id) or canonical JSON.
//
// Decoding errors wrap ErrInvalid (bytes that are not the record) or
// ErrUnsupportedSchema (a well-formed frame naming a schema we do not know),
// so callers can classify bad input without string matching.
package schemas
