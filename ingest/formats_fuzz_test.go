package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recsys/recsys/ingest"
	"github.com/recsys/recsys/schemas"
)

// FuzzPipeline runs arbitrary values through auto-detection, every decoder
// and Normalize: whatever comes out must be a verdict ingest can act on.
func FuzzPipeline(f *testing.F) {
	e := purchase("e1")
	codecs, err := schemas.NewCodecs()
	if err != nil {
		f.Fatal(err)
	}
	jsonValue, _ := schemas.EncodeEventJSON(e)
	avroValue, _ := codecs.EncodeEvent(e)
	confluentValue, _ := codecs.EncodeEventConfluent(e, 3)
	for _, v := range [][]byte{jsonValue, avroValue, confluentValue, snowplowSample(f, e), enrichedSample(f, e), shopifySample(f, e)} {
		f.Add(v)
	}
	for _, glob := range []string{"snowplow/testdata/*/*.json", "snowplow/testdata/*/*.txt", "shopify/testdata/*.json"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	p, err := ingest.NewPipelineFor(ingest.Config{}, nil)
	if err != nil {
		f.Fatal(err)
	}
	known := map[ingest.Class]bool{ingest.Malformed: true, ingest.UnsupportedSchema: true, ingest.MissingField: true,
		ingest.InvalidValue: true, ingest.TooLarge: true}
	f.Fuzz(func(t *testing.T, v []byte) {
		res, err := p.Process(context.Background(), ingest.Record{Value: v, Time: t0})
		if err != nil {
			t.Fatalf("Process failed without a registry or a catalog: %v", err)
		}
		if res.Err != nil && !known[res.Err.Class] {
			t.Fatalf("record rejected with class %q", res.Err.Class)
		}
		for _, r := range res.Rejects {
			if r.Err == nil || !known[r.Err.Class] {
				t.Fatalf("event rejected with %+v", r.Err)
			}
		}
		if len(res.Positions) != len(res.Interactions) {
			t.Fatalf("%d positions for %d interactions", len(res.Positions), len(res.Interactions))
		}
		for _, in := range res.Interactions {
			_, gid := schemas.ParseProductGID(in.ProductGID)
			if in.UserID == "" || in.EventID == "" || !in.Type.Valid() || in.Quantity < 1 ||
				(!gid && !strings.HasPrefix(in.ProductGID, ingest.HandlePrefix)) {
				t.Fatalf("an invalid interaction passed: %+v", in)
			}
			if _, err := codecs.EncodeInteraction(in); err != nil {
				t.Fatalf("an interaction that cannot be encoded passed: %+v: %v", in, err)
			}
		}
	})
}
