package ingest

import (
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// Header names on produced records: a contract with the DLQ's readers and
// with the scorer.
const (
	// HeaderSourceTS, on every interaction, is the Kafka timestamp of the
	// input record in Unix milliseconds (decimal): the start of the
	// event→recommendation latency.
	HeaderSourceTS = "recsys-source-ts"
	// HeaderError is the readable reason a record was rejected.
	HeaderError = "error"
	// HeaderErrorClass is its Class.
	HeaderErrorClass = "error_class"
	// HeaderSourceTopic, HeaderSourcePartition and HeaderSourceOffset name
	// the rejected input record (decimal numbers).
	HeaderSourceTopic     = "source_topic"
	HeaderSourcePartition = "source_partition"
	HeaderSourceOffset    = "source_offset"
	// HeaderEventIndex names the rejected event's position inside a record
	// that held more than one event; absent otherwise.
	HeaderEventIndex = "event_index"
	// HeaderValueOmitted replaces a value too large to produce again (its
	// size in bytes); the DLQ record then has an empty value.
	HeaderValueOmitted = "value_omitted"
)

// writerBatchBytes is the writers' BatchBytes: kafka-go's default, and the
// default max.message.bytes of Kafka brokers, which bounds a record batch.
const writerBatchBytes = 1 << 20

// dlqOverhead is room left for the key, headers and framing of a DLQ record.
const dlqOverhead = 4 << 10

// dlqMessage is the DLQ record for a rejection of msg (or, with index ≥ 0,
// of one event inside it). The value is msg's bytes unchanged; msg's own
// headers are never copied, for they may carry credentials.
func dlqMessage(topic string, msg kafka.Message, err *Error, index int) kafka.Message {
	h := []kafka.Header{
		{Key: HeaderError, Value: []byte(err.Error())},
		{Key: HeaderErrorClass, Value: []byte(err.Class)},
		{Key: HeaderSourceTopic, Value: []byte(msg.Topic)},
		{Key: HeaderSourcePartition, Value: strconv.AppendInt(nil, int64(msg.Partition), 10)},
		{Key: HeaderSourceOffset, Value: strconv.AppendInt(nil, msg.Offset, 10)},
	}
	if index >= 0 {
		h = append(h, kafka.Header{Key: HeaderEventIndex, Value: strconv.AppendInt(nil, int64(index), 10)})
	}
	value := msg.Value
	if len(msg.Key)+len(value)+dlqOverhead > writerBatchBytes {
		h = append(h, kafka.Header{Key: HeaderValueOmitted, Value: strconv.AppendInt(nil, int64(len(value)), 10)})
		value = []byte{}
	}
	return kafka.Message{Topic: topic, Key: msg.Key, Value: value, Headers: h}
}

// recordTime is the reference time of an input record: its Kafka timestamp,
// or now if it has none.
func recordTime(msg kafka.Message) time.Time {
	if msg.Time.IsZero() || msg.Time.Unix() <= 0 {
		return time.Now()
	}
	return msg.Time
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
