// Package ingest is the first stage of recsys: it turns the raw clickstream
// into Redis state and the normalized interaction log.
//
// Consumes:
//   - clickstream.events (group recsys-ingest): canonical JSON events (or a
//     JSON array of them), Avro single-object Events, Confluent-framed Avro
//     Events; each Format is one file, auto-detected by its first bytes.
//   - catalog.products (group recsys-ingest-catalog): key = product GID,
//     value = Product as JSON or Avro single-object, empty = tombstone.
//
// Produces:
//   - Redis, through features.Store: history, seen and purchased sets,
//     dedupe (ApplyUsers), popularity (AddPopularity); the catalog
//     (PutProducts, Delist).
//   - recsys.interactions: schemas.Interaction, Avro single-object, key =
//     user id, header recsys-source-ts = the input record's Kafka timestamp
//     in Unix ms. Product ids are Shopify GIDs; a handle the catalog did not
//     know yet stays "handle:<handle>" (HandlePrefix).
//   - clickstream.events.dlq: one record per rejected record, or per
//     rejected event of a multi-event record. Key and value are the input's,
//     byte for byte (see HeaderValueOmitted for the one exception); headers
//     error, error_class, source_topic, source_partition, source_offset and,
//     inside a multi-event record, event_index. The input's own headers are
//     never copied: they may carry credentials.
//
// Processing: a micro-batch (the first record blocking, then what the reader
// already holds and whatever arrives within BatchLinger, up to BatchSize) is
// decoded and validated, its product handles resolved in one catalog read,
// its per-user effects applied to Redis in one pipelined call, then produced
// in one request per broker while its popularity is added, then committed. Time
// limits are checked against each record's Kafka timestamp, not the wall
// clock, so reprocessing a topic gives the same interactions.
//
// Delivery: at-least-once in, exactly-once effects. Offsets are committed
// only after Redis and the produce succeeded. Redis effects are idempotent
// per event id, and features.Store.ApplyUsers tells a redelivery of the same
// record (Replayed: produced again, so the output topic holds every good
// event at least once) from the same event id in another record (Duplicate:
// counted, not produced, not a DLQ record). Bad input never blocks a
// partition: it goes to the DLQ with its class and is committed. A
// transient failure (Redis or a broker down) keeps the batch in hand and
// retries it with backoff (100ms doubling to 5s) without committing or
// skipping. On cancellation the batch in hand is finished within
// ShutdownTimeout and committed; one not finished in time is redelivered.
//
// Ordering: for one user, Redis is written before the interaction is
// produced, so a consumer of recsys.interactions always finds the history
// that includes it; output keys are user ids, so a user's interactions stay
// in order on one partition.
//
// Concurrency: Stage.Run runs the event loop and the catalog loop in an
// errgroup and returns after both ended; each loop is sequential. Run one
// Run per Stage at a time; scale out with more processes in the same groups.
// Pipeline and the Formats are safe for concurrent use.
package ingest
