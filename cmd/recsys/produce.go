package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/ingest/produce"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// produceConfig is what `recsys produce` takes.
type produceConfig struct {
	brokers             []string
	topic, catalogTopic string
	file, format        string
	rate                float64
	synth               synth.Config
	sec                 security // the Kafka part
}

func (p *produceConfig) define(f *flagSet) {
	f.list(&p.brokers, "brokers", "localhost:9092", "Kafka bootstrap brokers")
	f.str(&p.topic, "topic-events", "clickstream.events", "topic to send to")
	f.str(&p.catalogTopic, "topic-catalog", "catalog.products", "send the synthetic catalog here first; empty skips")
	f.str(&p.file, "file", "", "send this JSON-lines file (one record per line) instead of synthetic events; - is stdin")
	f.str(&p.format, "format", "json", "synthetic event encoding: json, avro (single-object) or confluent")
	f.float(&p.rate, "rate", 0, "events per second; 0 sends as fast as possible")
	defineSynth(f, &p.synth)
	p.sec.defineKafka(f)
}

func runProduce(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newFlagSet("produce", getenv, stderr)
	var p produceConfig
	p.define(f)
	if err := f.parse(args); err != nil {
		return err
	}
	w, err := p.writer()
	if err != nil {
		return err
	}
	defer w.Close()
	var n int
	if p.file != "" {
		n, err = produceFile(ctx, w, p.file, p.rate)
	} else {
		n, err = produceSynthetic(ctx, w, p.catalogTopic, p.synth, p.format, p.rate)
	}
	fmt.Fprintf(stdout, "sent %d records to %s\n", n, p.topic)
	return err
}

func defineSynth(f *flagSet, sc *synth.Config) {
	f.int(&sc.Users, "users", 300, "synthetic shoppers")
	f.int(&sc.Products, "products", 500, "synthetic products")
	f.float(&sc.SessionsPerUser, "sessions", 6, "mean sessions per shopper")
	f.dur(&sc.Period, "period", 30*24*time.Hour, "span of synthetic event time, ending now")
	f.Int64Var(&sc.Seed, "seed", 1, "synthetic data seed")
}

// topicWriter writes records to one topic, each call's records at once (the
// stages' producer: the load generator of the demo and bench shares their
// process, and kafka-go's Writer would add its own garbage to theirs).
type topicWriter struct {
	*produce.Producer
	topic string
}

func newWriter(brokers []string, topic string) *topicWriter {
	p, err := produce.New(produce.Config{Brokers: brokers})
	if err != nil {
		panic(err) // only without brokers, which the flags require
	}
	return &topicWriter{p, topic}
}

// writer is the events topic's writer, with the Kafka security flags.
func (p *produceConfig) writer() (*topicWriter, error) {
	k, err := p.sec.kafka()
	if err != nil {
		return nil, err
	}
	w, err := produce.New(produce.Config{Brokers: p.brokers, TLS: k.Transport.TLS, SASL: k.Transport.SASL})
	if err != nil {
		return nil, err
	}
	return &topicWriter{w, p.topic}, nil
}

// WriteMessages sets the Topic of msgs and writes them.
func (w *topicWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	for k := range msgs {
		msgs[k].Topic = w.topic
	}
	return w.Producer.WriteMessages(ctx, msgs...)
}

func produceSynthetic(ctx context.Context, w *topicWriter, catalogTopic string, sc synth.Config, format string, rate float64) (int, error) {
	sc.End = time.Now().UTC()
	g, err := synth.New(sc)
	if err != nil {
		return 0, err
	}
	if catalogTopic != "" {
		if err := writeCatalog(ctx, &topicWriter{w.Producer, catalogTopic}, g.Catalog()); err != nil {
			return 0, err
		}
	}
	enc, err := eventEncoder(format)
	if err != nil {
		return 0, err
	}
	return send(ctx, w, encodeEvents(g.Events(), enc), rate)
}

func eventEncoder(format string) (func(schemas.Event) ([]byte, error), error) {
	codecs, err := schemas.NewCodecs()
	if err != nil {
		return nil, err
	}
	switch format {
	case "json":
		return schemas.EncodeEventJSON, nil
	case "avro":
		return codecs.EncodeEvent, nil
	case "confluent":
		return func(e schemas.Event) ([]byte, error) { return codecs.EncodeEventConfluent(e, 1) }, nil
	}
	return nil, fmt.Errorf("format %q: want json, avro or confluent", format)
}

func encodeEvents(events iter.Seq[schemas.Event], enc func(schemas.Event) ([]byte, error)) iter.Seq2[kafka.Message, error] {
	return func(yield func(kafka.Message, error) bool) {
		for e := range events {
			b, err := enc(e)
			if !yield(kafka.Message{Key: []byte(e.UserID), Value: b}, err) {
				return
			}
		}
	}
}

func sendCatalog(ctx context.Context, brokers []string, topic string, products []schemas.Product) error {
	w := newWriter(brokers, topic)
	defer w.Close()
	return writeCatalog(ctx, w, products)
}

// writeCatalog sends products to w's topic, keyed by GID.
func writeCatalog(ctx context.Context, w *topicWriter, products []schemas.Product) error {
	msgs := make([]kafka.Message, len(products))
	for k, p := range products {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		msgs[k] = kafka.Message{Key: []byte(p.GID), Value: b}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("sending catalog: %w", err)
	}
	return nil
}

// send writes records in batches, paced to rate per second when rate > 0.
func send(ctx context.Context, w *topicWriter, records iter.Seq2[kafka.Message, error], rate float64) (int, error) {
	const tick = 10 * time.Millisecond
	perTick := 1000
	if rate > 0 {
		perTick = max(1, int(rate*tick.Seconds()))
	}
	start, n := time.Now(), 0
	batch := make([]kafka.Message, 0, perTick)
	flush := func() error {
		if err := w.WriteMessages(ctx, batch...); err != nil {
			return fmt.Errorf("sending: %w", err)
		}
		n += len(batch)
		batch = batch[:0]
		if rate > 0 { // sleep until this many records are due
			due := start.Add(time.Duration(float64(n) / rate * float64(time.Second)))
			select {
			case <-ctx.Done():
			case <-time.After(time.Until(due)):
			}
		}
		return ctx.Err()
	}
	for m, err := range records {
		if err != nil {
			return n, err
		}
		if batch = append(batch, m); len(batch) == perTick {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if len(batch) > 0 {
		return n, flush()
	}
	return n, nil
}

func produceFile(ctx context.Context, w *topicWriter, path string, rate float64) (int, error) {
	r := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	lines := func(yield func(kafka.Message, error) bool) {
		for sc.Scan() {
			line := append([]byte(nil), sc.Bytes()...)
			if len(line) == 0 {
				continue
			}
			var keyed struct {
				UserID string `json:"user_id"`
			}
			_ = json.Unmarshal(line, &keyed) // the key is a courtesy; ingest validates
			if !yield(kafka.Message{Key: []byte(keyed.UserID), Value: line}, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
			yield(kafka.Message{}, fmt.Errorf("reading %s: %w", path, err))
		}
	}
	return send(ctx, w, lines, rate)
}
