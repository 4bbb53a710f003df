package snowplow_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/ingest/snowplow"
)

// addSeeds adds every test input as a seed; the committed crashers in
// testdata/fuzz run as regression cases with the seeds.
func addSeeds(f *testing.F, dirs ...string) {
	for _, dir := range dirs {
		paths, _ := filepath.Glob(filepath.Join("testdata", dir, "*.*"))
		for _, p := range paths {
			if filepath.Ext(p) == ".golden" {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{"", "{}", "[]", "e=pv", `{"e":"ue","tv":"x","ue_px":"e30"}`, `{"message":{"e":"pp"}}`} {
		f.Add([]byte(s))
	}
}

// checkBatch holds for whatever a decoder returns.
func checkBatch(t *testing.T, b decode.Batch, err error) {
	if err != nil {
		if e, ok := err.(*decode.Error); !ok || e.Class == "" {
			t.Fatalf("error %v is not a classified *decode.Error", err)
		}
		return
	}
	if len(b.Positions) != len(b.Events) {
		t.Fatalf("%d positions for %d events", len(b.Positions), len(b.Events))
	}
	for _, r := range b.Rejects {
		if r.Err == nil || r.Err.Class == "" || r.Index < 0 {
			t.Fatalf("reject %+v", r)
		}
	}
	for _, e := range b.Events {
		if e.UserID == "" || e.Type == "" || e.Product == "" || e.Time.IsZero() {
			t.Fatalf("an event without user, type, product or time: %+v", e)
		}
	}
}

func FuzzDecodeTracker(f *testing.F) {
	addSeeds(f, "tracker")
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := snowplow.DecodeTracker(v, snowplow.Limits{})
		checkBatch(t, b, err)
	})
}

func FuzzDecodeEnriched(f *testing.F) {
	addSeeds(f, "enriched")
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := snowplow.DecodeEnriched(v, snowplow.Limits{})
		checkBatch(t, b, err)
	})
}
