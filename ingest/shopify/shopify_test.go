package shopify_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/ingest/shopify"
	"github.com/recsys/recsys/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files from the decoder's output")

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

func inputs(t testing.TB) []string {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no inputs in testdata: %v", err)
	}
	return paths
}

func TestPixelEventsDecodeToTheGoldenEvents(t *testing.T) {
	t.Parallel()
	for _, path := range inputs(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			v, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.MarshalIndent(goldenOf(shopify.Decode(v, shopify.Limits{})), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			if bytes.Contains(out, []byte("SECRET")) {
				t.Errorf("decoded output or errors quote a secret: %s", out)
			}
			want := strings.TrimSuffix(path, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(want, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			w, err := os.ReadFile(want)
			if err != nil || !bytes.Equal(w, out) {
				t.Errorf("%s differs from the decoded output (%v):\n%s", want, err, out)
			}
		})
	}
}

func TestMalformedPixelRecordsAreRejectedWhole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value string
		class       decode.Class
	}{
		{name: "empty", value: "\n", class: decode.Malformed},
		{name: "truncated JSON", value: `{"id":"1","clientId":"c`, class: decode.Malformed},
		{name: "a JSON string", value: `"clientId"`, class: decode.Malformed},
		{name: "an empty array", value: `[]`, class: decode.Malformed},
		{name: "a broken array", value: `[{"clientId":"c"},`, class: decode.Malformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := shopify.Decode([]byte(c.value), shopify.Limits{})
			if e, ok := err.(*decode.Error); !ok || e.Class != c.class {
				t.Fatalf("Decode = %v, want class %s", err, c.class)
			}
		})
	}
}

func checkout(lineItems int) []byte {
	var items []string
	for i := range lineItems {
		n := strconv.Itoa(i + 1)
		items = append(items, `{"quantity":1,"variant":{"id":"`+n+`","price":{"amount":1,"currencyCode":"USD"},"product":{"id":"`+n+`"}}}`)
	}
	return []byte(`{"id":"c1","name":"checkout_completed","clientId":"x","timestamp":"2026-03-02T11:00:00Z",
		"data":{"checkout":{"lineItems":[` + strings.Join(items, ",") + `]}}}`)
}

func TestLimitsBoundEventsPerRecordAndLineItemsPerCheckout(t *testing.T) {
	t.Parallel()
	b, err := shopify.Decode(checkout(3), shopify.Limits{MaxLineItems: 2})
	if err != nil || len(b.Rejects) != 1 || b.Rejects[0].Err.Class != decode.TooLarge || len(b.Events) != 0 {
		t.Errorf("3 line items with a limit of 2: %+v, %v; want one too_large reject", b, err)
	}
	b, err = shopify.Decode(checkout(3), shopify.Limits{MaxLineItems: 3})
	if err != nil || len(b.Events) != 3 || b.Events[2].EventID != "c1#2" || b.Events[2].Variant != "3" {
		t.Errorf("3 line items with a limit of 3: %+v, %v", b, err)
	}
	arr := []byte("[" + string(checkout(1)) + "," + string(checkout(1)) + "]")
	if _, err := shopify.Decode(arr, shopify.Limits{MaxEvents: 1}); err == nil || err.(*decode.Error).Class != decode.TooLarge {
		t.Errorf("2 events with a limit of 1: %v, want too_large", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range inputs(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(checkout(2))
	f.Add([]byte(`[{"clientId":1,"data":null}]`))
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := shopify.Decode(v, shopify.Limits{})
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
			if r.Err == nil || r.Err.Class == "" {
				t.Fatalf("reject %+v", r)
			}
		}
		for _, e := range b.Events {
			if e.UserID == "" || e.Type == "" || e.Product == "" || e.Time.IsZero() {
				t.Fatalf("an event without user, type, product or time: %+v", e)
			}
		}
	})
}

func BenchmarkDecodeCheckout(b *testing.B) {
	v, err := os.ReadFile("testdata/checkout_completed_line_items.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		if _, err := shopify.Decode(v, shopify.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
