// Package decode is the vocabulary the raw-format decoders (ingest/snowplow,
// ingest/shopify) share: why input was rejected (Class, Error, Reject), the
// identity pairs they find (Alias), and lenient JSON number reading. It is a
// leaf, so the decoders can use it while ingest imports them; ingest converts
// Class to its own error classes by value. Everything here is pure and safe
// for concurrent use.
package decode
