package snowplow_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/ingest/snowplow"
	"github.com/recsys/recsys/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files from the decoders' output")

// golden is the reviewable form of what a record decoded to.
type golden struct {
	Error   *decode.Error   `json:"error,omitempty"`
	Events  []goldenEvent   `json:"events"`
	Rejects []decode.Reject `json:"rejects"`
	Ignored int             `json:"ignored"`
	Aliases []decode.Alias  `json:"aliases"`
}

type goldenEvent struct {
	Position int           `json:"position"`
	Event    schemas.Event `json:"event"`
}

func goldenOf(b decode.Batch, err error) golden {
	g := golden{Events: []goldenEvent{}, Rejects: b.Rejects, Ignored: b.Ignored, Aliases: b.Aliases}
	if err != nil {
		g.Error = err.(*decode.Error)
	}
	for k, e := range b.Events {
		g.Events = append(g.Events, goldenEvent{Position: b.Positions[k], Event: e})
	}
	return g
}

// checkGolden compares got with testdata/<dir>/<name>.golden, or writes it
// with -update.
func checkGolden(t *testing.T, path string, got golden) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	want := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden"
	if *update {
		if err := os.WriteFile(want, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(w, b) {
		t.Errorf("%s differs from the decoded output:\n%s", want, b)
	}
}

func inputs(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	for _, pattern := range []string{"*.json", "*.txt"} {
		m, err := filepath.Glob(filepath.Join("testdata", dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Fatalf("no inputs in testdata/%s", dir)
	}
	return paths
}

func TestTrackerPayloadsDecodeToTheGoldenEvents(t *testing.T) {
	t.Parallel()
	for _, path := range inputs(t, "tracker") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			v, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := snowplow.DecodeTracker(v, snowplow.Limits{})
			checkGolden(t, path, goldenOf(b, err))
		})
	}
}

func TestEnrichedEventsDecodeToTheGoldenEvents(t *testing.T) {
	t.Parallel()
	for _, path := range inputs(t, "enriched") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			v, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := snowplow.DecodeEnriched(v, snowplow.Limits{})
			checkGolden(t, path, goldenOf(b, err))
		})
	}
}

// TestNoDecodedValueOrErrorQuotesASecret: every secret-bearing parameter of
// the test data (urls with tokens, ip, ua, tnuid, nuid) holds "SECRET".
func TestNoDecodedValueOrErrorQuotesASecret(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"tracker", "enriched"} {
		for _, path := range inputs(t, dir) {
			v, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(v, []byte("SECRET")) && !strings.Contains(path, "querystring") {
				continue
			}
			b, err := snowplow.DecodeTracker(v, snowplow.Limits{})
			if dir == "enriched" {
				b, err = snowplow.DecodeEnriched(v, snowplow.Limits{})
			}
			out, _ := json.Marshal(goldenOf(b, err))
			if bytes.Contains(out, []byte("SECRET")) {
				t.Errorf("%s: decoded output or errors quote a secret: %s", path, out)
			}
		}
	}
}
