package datasets

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/explicit"
)

// Format names an input layout of `recsys eval`.
type Format string

// The formats.
const (
	Retail          Format = "retail"    // UCI Online Retail CSV
	TSVFormat       Format = "tsv"       // user<TAB>item<TAB>ts[<TAB>type]
	JSONL           Format = "jsonl"     // canonical JSON-lines events
	MovieLensFormat Format = "movielens" // ratings.csv, u.data or ratings.dat
)

// Data is a loaded input: events always; ratings only for MovieLens.
type Data struct {
	Events  *trainer.Dataset
	Ratings *explicit.Ratings
}

// GuessFormat picks a format from a file name, or "" if it cannot tell.
func GuessFormat(path string) Format {
	base := strings.ToLower(filepath.Base(path))
	base = strings.TrimSuffix(base, ".gz")
	switch {
	case strings.Contains(base, "retail"):
		return Retail
	case base == "u.data" || base == "ratings.csv" || base == "ratings.dat":
		return MovieLensFormat
	case strings.HasSuffix(base, ".jsonl") || strings.HasSuffix(base, ".ndjson") || strings.HasSuffix(base, ".json"):
		return JSONL
	case strings.HasSuffix(base, ".tsv") || strings.HasSuffix(base, ".txt"):
		return TSVFormat
	}
	return ""
}

// Load reads path (gzip or not) in format f ("" guesses from the name).
func Load(path string, f Format) (*Data, error) {
	if f == "" {
		if f = GuessFormat(path); f == "" {
			return nil, fmt.Errorf("cannot tell the format of %s: name one (retail, tsv, jsonl, movielens)", path)
		}
	}
	rc, err := Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening input: %w", err)
	}
	defer rc.Close()
	d, err := read(rc, f)
	if err != nil {
		return nil, fmt.Errorf("reading %s as %s: %w", path, f, err)
	}
	return d, nil
}

func read(r io.Reader, f Format) (*Data, error) {
	var d *trainer.Dataset
	var err error
	switch f {
	case Retail:
		d, err = OnlineRetail(r)
	case TSVFormat:
		d, err = TSV(r)
	case JSONL:
		d, err = JSONLines(r)
	case MovieLensFormat:
		ratings, err := MovieLens(r)
		if err != nil {
			return nil, err
		}
		return &Data{Events: Interactions(ratings, schemas.Purchase), Ratings: ratings}, nil
	default:
		return nil, fmt.Errorf("unknown format %q (want retail, tsv, jsonl or movielens)", f)
	}
	if err != nil {
		return nil, err
	}
	return &Data{Events: d}, nil
}
