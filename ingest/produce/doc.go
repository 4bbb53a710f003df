// Package produce writes records to Kafka the way the stages need it on their
// hot path: one call hands over a whole batch, and the batch goes out at once,
// as one produce request per partition leader, acknowledged by all in-sync
// replicas.
//
// kafka-go's Writer, which the stages used before, suits callers that trickle
// records in: it queues each partition's records, flushes them after a linger
// timer in one goroutine per partition, and sends one request per partition.
// For a caller that already has its batch that costs a goroutine, a timer
// and a BatchSize-long slice per partition per call (about 150 kB for 1,000
// records: most of the pipeline's garbage at 1,000 events/s) and a round trip
// per partition. Here a batch costs one request per broker and little more
// garbage than the records themselves; the wire work (connections, API
// versions, TLS, SASL, routing) is still kafka-go's Transport.
//
// Records are partitioned like kafka-go's Murmur2Balancer (and the Java
// client): a key always lands on the same partition, keyless records on a
// random one. A key's records keep their order within a call and across calls.
package produce
