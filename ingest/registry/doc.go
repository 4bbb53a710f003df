// Package registry is a small Confluent Schema Registry client for ingest:
// it resolves the schema id of a Confluent-framed Avro record (magic byte 0,
// 4-byte big-endian id) to the writer schema, and reads the payload as a
// recsys Event by Avro schema resolution against event.avsc.
//
// Consumes: GET <url>/schemas/ids/{id} of the registry's REST API (the one
// call a consumer needs), with basic auth from the URL's userinfo and a
// timeout per request.
//
// Resolution: the writer schema must be a record; its fields are matched to
// Event's by name, each read with Avro's promotions (int→long→float→double,
// bytes↔string) plus int/long/enum read as a string and long as an int
// (numeric product and user ids are common); a null union branch leaves the
// field at its default; writer fields Event lacks are skipped; a writer
// schema lacking a field Event requires (event_id, user_id, type, product,
// ts) cannot be read. ts is Unix milliseconds unless its logical type says
// micros or nanos. Record names are not compared, aliases not used; schema
// references and non-Avro schema types are not supported. The reader is
// written here, on the standard library, because goavro (owned by package
// schemas) does not resolve writer schemas against a reader schema.
//
// Errors: an id the registry does not know (404, error_code 40403), a
// schema that cannot be read as an Event, and a non-Avro schema wrap
// schemas.ErrUnsupportedSchema; a payload that does not match its schema
// wraps schemas.ErrInvalid; anything that keeps the registry from answering
// (timeout, connection refused, 5xx, 401/403, a 404 that is not the
// registry's) wraps ErrUnavailable and is transient: retry, never reject.
//
// Caching: schemas are cached for the life of the Client (an id's schema
// never changes); unknown ids are remembered for Config.UnknownTTL, at most
// 10,000 of them. A Client is safe for concurrent use.
package registry
