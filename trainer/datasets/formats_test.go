package datasets_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer/datasets"
)

func TestTSVReadsSecondsMillisRFC3339AndTypes(t *testing.T) {
	in := "user\titem\tts\n" + // a header: skipped
		"# comment\n" +
		"u1\tp1\t1700000000\n" +
		"u1\tp2\t1700000001000\tview\n" +
		"u2\tp1\t2023-11-14T22:13:22Z\tadd_to_cart\n"
	d, err := datasets.TSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Users) != 2 || len(d.Items) != 2 || d.NumEvents() != 3 {
		t.Fatalf("users, items, events = %d, %d, %d; want 2, 2, 3", len(d.Users), len(d.Items), d.NumEvents())
	}
	s := d.Seqs[0]
	if s[0].Time != 1700000000000 || s[0].Type != schemas.Purchase || s[1].Time != 1700000001000 || s[1].Type != schemas.View {
		t.Errorf("u1 = %+v", s)
	}
	if e := d.Seqs[1][0]; e.Time != 1700000002000 || e.Type != schemas.AddToCart {
		t.Errorf("u2 = %+v", e)
	}
	for _, bad := range []string{"u1\tp1\n", "u1\tp1\t5\n u2\tp2\tyesterday\n", "u1\tp1\t5\tclick\n"} {
		if _, err := datasets.TSV(strings.NewReader(bad)); err == nil {
			t.Errorf("TSV(%q) succeeded", bad)
		}
	}
}

func TestJSONLinesReadsCanonicalEvents(t *testing.T) {
	in := `{"event_id":"e1","user_id":"u1","type":"view","product":"gid://shopify/Product/1","ts":"2026-11-23T10:00:00Z"}

{"event_id":"e2","user_id":"u1","type":"purchase","product":"gid://shopify/Product/2","ts":1795432800000}
`
	d, err := datasets.JSONLines(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if d.NumEvents() != 2 || d.Seqs[0][1].Type != schemas.Purchase {
		t.Errorf("events = %+v", d.Seqs)
	}
	if _, err := datasets.JSONLines(strings.NewReader(`{"user_id":"u1","type":"view"}`)); err == nil {
		t.Error("an event without product and ts was accepted")
	}
}

func TestMovieLensReadsEveryLayout(t *testing.T) {
	for name, in := range map[string]string{
		"ratings.csv": "userId,movieId,rating,timestamp\n1,10,4.5,964982703\n2,10,3,964982704\n",
		"u.data":      "1\t10\t4.5\t964982703\n2\t10\t3\t964982704\n",
		"ratings.dat": "1::10::4.5::964982703\n2::10::3::964982704\n",
	} {
		r, err := datasets.MovieLens(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(r.R) != 2 || r.R[0].Value != 4.5 || r.R[1].Time != 964982704000 || len(r.Items) != 1 {
			t.Errorf("%s: %+v", name, r)
		}
		d := datasets.Interactions(r, schemas.Purchase)
		if d.NumEvents() != 2 || len(d.Users) != 2 {
			t.Errorf("%s: implicit view has %d events, %d users", name, d.NumEvents(), len(d.Users))
		}
	}
}

func TestLoadGuessesTheFormatFromTheName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.tsv")
	if err := os.WriteFile(path, []byte("u1\tp1\t1\nu1\tp2\t2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := datasets.Load(path, "")
	if err != nil || d.Events.NumEvents() != 2 || d.Ratings != nil {
		t.Fatalf("Load = %+v, %v", d, err)
	}
	if _, err := datasets.Load(filepath.Join(dir, "log.bin"), ""); err == nil {
		t.Error("an unguessable name loaded")
	}
}
