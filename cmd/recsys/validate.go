package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

// validateConfig is what `recsys validate` takes.
type validateConfig struct {
	format, registry      string
	redis                 []string
	redisPassword, prefix string
	recordTime            string
}

func (v *validateConfig) define(f *flagSet) {
	f.str(&v.format, "input-format", ingest.FormatAuto, "input format: auto or a format name")
	f.str(&v.registry, "schema-registry", "", "Confluent Schema Registry URL for Confluent-framed Avro; empty reads it with the embedded Event schema")
	f.list(&v.redis, "redis", "", "resolve product handles through the catalog in this Redis; empty keeps handle:<handle>")
	f.str(&v.redisPassword, "redis-password", "", "Redis password (AUTH)")
	f.str(&v.prefix, "prefix", "recsys", "prefix of every Redis key")
	f.str(&v.recordTime, "record-time", "", "check event times against this RFC 3339 time instead of now (for old captures)")
}

// runValidate reads records from a file (or stdin: no file or "-"), one per
// line or one JSON document, runs them through ingest's Pipeline without
// Kafka, prints one JSON line per interaction, rejection, ignored count
// and alias, and fails if any record or event was rejected.
func runValidate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newFlagSet("validate", getenv, stderr)
	var v validateConfig
	v.define(f)
	f.Usage = func() {
		fmt.Fprintln(stderr, "usage: recsys validate [flags] [file|-]")
		f.PrintDefaults()
	}
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() > 1 {
		return errors.New("validate: at most one file")
	}
	in, name := io.Reader(os.Stdin), "stdin"
	if path := f.Arg(0); path != "" && path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("validate: %w", err)
		}
		defer file.Close()
		in, name = file, path
	}
	return validate(ctx, v, in, name, stdout, stderr)
}

// verdict is one line of validate's output.
type verdict struct {
	Record      int                  `json:"record"`
	EventIndex  *int                 `json:"event_index,omitempty"`
	Format      string               `json:"format,omitempty"`
	Interaction *schemas.Interaction `json:"interaction,omitempty"`
	ErrorClass  ingest.Class         `json:"error_class,omitempty"`
	Error       string               `json:"error,omitempty"`
	Ignored     int                  `json:"ignored,omitempty"`
	Alias       *features.Alias      `json:"alias,omitempty"`
}

// tally counts validate's verdicts.
type tally struct{ records, interactions, rejected, ignored int }

func validate(ctx context.Context, v validateConfig, in io.Reader, name string, stdout, stderr io.Writer) error {
	ref := time.Now()
	if v.recordTime != "" {
		var err error
		if ref, err = time.Parse(time.RFC3339Nano, v.recordTime); err != nil {
			return fmt.Errorf("validate: --record-time %q: not an RFC 3339 time", v.recordTime)
		}
	}
	catalog, closeCatalog, err := v.catalog(ctx)
	if err != nil {
		return err
	}
	defer closeCatalog()
	p, err := ingest.NewPipelineFor(ingest.Config{Format: v.format, SchemaRegistry: v.registry}, catalog)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("validate: reading %s: %w", name, err)
	}
	recs := splitRecords(data, name, ref)
	results, err := p.ProcessBatch(ctx, recs)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	var t tally
	enc := json.NewEncoder(stdout)
	for k, res := range results {
		if err := report(enc, int(recs[k].Source.Offset), res, &t); err != nil {
			return fmt.Errorf("validate: writing: %w", err)
		}
	}
	fmt.Fprintf(stderr, "validate: %d records: %d interactions, %d rejected, %d ignored\n", len(recs), t.interactions, t.rejected, t.ignored)
	if t.rejected > 0 {
		return fmt.Errorf("validate: %d rejected", t.rejected)
	}
	return nil
}

// catalog connects to Redis for handle resolution, if asked to.
func (v validateConfig) catalog(ctx context.Context) (*features.Store, func(), error) {
	if len(v.redis) == 0 {
		return nil, func() {}, nil
	}
	if err := checkAddrs("redis", v.redis); err != nil {
		return nil, nil, fmt.Errorf("validate: %w", err)
	}
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: v.redis, Password: v.redisPassword})
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, nil, fmt.Errorf("validate: redis: %w", err)
	}
	return features.New(rdb, features.Config{Prefix: v.prefix}), func() { _ = rdb.Close() }, nil
}

// splitRecords reads data as one JSON document (an object or array over
// several lines) or as one record per non-blank line. A record's source
// offset is its line number.
func splitRecords(data []byte, name string, ref time.Time) []ingest.Record {
	rec := func(v []byte, line int) ingest.Record {
		return ingest.Record{Value: v, Time: ref, Source: schemas.Offset{Topic: name, Offset: int64(line)}}
	}
	if doc := bytes.TrimSpace(data); len(doc) > 0 && (doc[0] == '{' || doc[0] == '[') && json.Valid(doc) {
		return []ingest.Record{rec(doc, 1+bytes.Count(data[:bytes.Index(data, doc[:1])], []byte("\n")))}
	}
	var recs []ingest.Record
	for k, line := range bytes.Split(data, []byte("\n")) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			recs = append(recs, rec(line, k+1))
		}
	}
	return recs
}

// report prints the verdicts on one record.
func report(enc *json.Encoder, line int, res ingest.Result, t *tally) error {
	t.records++
	var out []verdict
	if res.Err != nil {
		t.rejected++
		out = append(out, verdict{Record: line, Format: res.Format, ErrorClass: res.Err.Class, Error: res.Err.Error()})
	}
	for k := range res.Interactions {
		t.interactions++
		out = append(out, verdict{Record: line, EventIndex: index(res.Multi, res.Positions[k]), Format: res.Format, Interaction: &res.Interactions[k]})
	}
	for _, r := range res.Rejects {
		t.rejected++
		out = append(out, verdict{Record: line, EventIndex: index(res.Multi, r.Index), Format: res.Format, ErrorClass: r.Err.Class, Error: r.Err.Error()})
	}
	if res.Ignored > 0 {
		t.ignored += res.Ignored
		out = append(out, verdict{Record: line, Format: res.Format, Ignored: res.Ignored})
	}
	for k := range res.Aliases {
		out = append(out, verdict{Record: line, Format: res.Format, Alias: &res.Aliases[k]})
	}
	for _, v := range out {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

func index(multi bool, i int) *int {
	if !multi {
		return nil
	}
	return &i
}
