package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// Pipeline decodes, validates and normalizes raw records: everything ingest
// does to a record short of writing it anywhere, so that a command checking
// a file of events gets exactly the verdicts the Stage would. It is safe for
// concurrent use.
type Pipeline struct {
	formats []Format
	pinned  Format
	limits  Limits
	catalog *features.Store
}

// NewPipeline returns a Pipeline that detects the format of each record among
// formats (in order), or decodes every record with the one named format when
// format is not FormatAuto. catalog resolves product handles to GIDs; with a
// nil catalog every handle stays HandlePrefix+handle. lim is defaulted.
func NewPipeline(formats []Format, format string, lim Limits, catalog *features.Store) (*Pipeline, error) {
	lim = lim.withDefaults()
	if err := errors.Join(lim.validate()...); err != nil {
		return nil, err
	}
	p := &Pipeline{formats: formats, limits: lim, catalog: catalog}
	if format == "" || format == FormatAuto {
		return p, nil
	}
	for _, f := range formats {
		if f.Name() == format {
			p.pinned = f
			return p, nil
		}
	}
	return nil, fmt.Errorf("ingest: unknown format %q", format)
}

// Record is one raw input record.
type Record struct {
	Value []byte
	// Time is the record's Kafka timestamp, the reference for the time
	// limits. Zero means now.
	Time   time.Time
	Source schemas.Offset
}

// Result is what became of one record.
type Result struct {
	// Format names the format that decoded the record ("" if none did).
	Format string
	// Err rejects the whole record: it could not be decoded at all.
	Err *Error
	// Interactions are the record's valid events, normalized, in record order.
	Interactions []schemas.Interaction
	// Positions[k] is the position in the record of Interactions[k].
	Positions []int
	// Rejects are the record's invalid events, by position.
	Rejects []Reject
	// Ignored counts events recognised but not interactions.
	Ignored int
	// Multi reports whether the record held more than one event.
	Multi bool
	// Aliases are the identities the record linked (Decoded.Aliases).
	Aliases []features.Alias
}

// Process runs one record through the pipeline. The error is not about the
// record (that is Result.Err or Result.Rejects) but a failure to read the
// catalog, worth a retry.
func (p *Pipeline) Process(ctx context.Context, rec Record) (Result, error) {
	res, err := p.ProcessBatch(ctx, []Record{rec})
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// ProcessBatch runs records through the pipeline, resolving all their
// product handles in one catalog read. Errors are as for Process.
func (p *Pipeline) ProcessBatch(ctx context.Context, recs []Record) ([]Result, error) {
	if err := p.fetchSchemas(ctx, recordValues(recs)); err != nil {
		return nil, err
	}
	out := make([]Result, len(recs))
	for k, rec := range recs {
		out[k] = p.decode(rec)
	}
	if err := p.resolve(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// decode decodes, validates and normalizes one record; it never fails.
func (p *Pipeline) decode(rec Record) Result {
	if n := len(rec.Value); n > p.limits.MaxRecordBytes {
		return Result{Err: &Error{Class: TooLarge, Msg: fmt.Sprintf("record of %d bytes exceeds the limit of %d", n, p.limits.MaxRecordBytes)}}
	}
	if len(rec.Value) == 0 {
		return Result{Err: &Error{Class: Malformed, Msg: "empty value"}}
	}
	f := p.pinned
	if f == nil {
		var ok bool
		if f, ok = detect(p.formats, rec.Value); !ok {
			return Result{Err: &Error{Class: Malformed, Msg: "unrecognised format, want one of " + p.names()}}
		}
	}
	d, err := f.Decode(rec.Value)
	if err != nil {
		return Result{Format: f.Name(), Err: Classify(err)}
	}
	res := Result{Format: f.Name(), Ignored: d.Ignored, Multi: d.multi(), Rejects: slices.Clone(d.Rejects), Aliases: d.Aliases}
	for k, e := range d.Events {
		in, err := normalize(e, rec.Time, rec.Source, p.limits)
		if err != nil {
			res.Rejects = append(res.Rejects, Reject{Index: d.position(k), Err: err})
			continue
		}
		res.Interactions = append(res.Interactions, in)
		res.Positions = append(res.Positions, d.position(k))
	}
	slices.SortStableFunc(res.Rejects, func(a, b Reject) int { return cmp.Compare(a.Index, b.Index) })
	return res
}

// resolve replaces handles the catalog knows by their GIDs, in one read.
// It changes nothing unless the read succeeds, so it may be retried.
func (p *Pipeline) resolve(ctx context.Context, results []Result) error {
	if p.catalog == nil {
		return nil
	}
	var handles []string
	seen := map[string]bool{}
	for _, res := range results {
		for _, in := range res.Interactions {
			if h, ok := strings.CutPrefix(in.ProductGID, HandlePrefix); ok && !seen[h] {
				seen[h] = true
				handles = append(handles, h)
			}
		}
	}
	if len(handles) == 0 {
		return nil
	}
	gids, err := p.catalog.ResolveHandles(ctx, handles)
	if err != nil {
		return err
	}
	for _, res := range results {
		for k, in := range res.Interactions {
			if h, ok := strings.CutPrefix(in.ProductGID, HandlePrefix); ok && gids[h] != "" {
				res.Interactions[k].ProductGID = gids[h]
			}
		}
	}
	return nil
}

func (p *Pipeline) names() string {
	names := make([]string, len(p.formats))
	for k, f := range p.formats {
		names[k] = f.Name()
	}
	return strings.Join(names, ", ")
}
