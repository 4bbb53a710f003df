package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/schemas"
)

const (
	validPV = `{"e":"pv","tv":"js-3","p":"web","eid":"pv1","duid":"d1","uid":"u1","dtm":"1772449200000","url":"https://shop.example/en-us/products/red-hat?variant=42"}`
	pixel   = `{"id":"px1","name":"product_viewed","type":"standard","clientId":"c1","timestamp":"2026-03-02T11:00:00Z","data":{"productVariant":{"id":"8","price":{"amount":3.5,"currencyCode":"USD"},"product":{"id":"7"}}}}`
	ping    = `{"e":"pp","tv":"js-3","p":"web","duid":"d1","dtm":"1772449200000"}`
)

func runValidateTest(t *testing.T, input string, flags ...string) (lines []map[string]any, stderr string, err error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "records.jsonl")
	if err := os.WriteFile(path, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := append([]string{"validate", "--record-time", "2026-03-02T12:00:00Z"}, flags...)
	err = run(context.Background(), append(args, path), func(string) string { return "" }, &out, &errOut)
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if jerr := json.Unmarshal([]byte(l), &m); jerr != nil {
			t.Fatalf("output line %q is not JSON: %v", l, jerr)
		}
		lines = append(lines, m)
	}
	return lines, errOut.String(), err
}

func TestValidatePrintsInteractionsAndReasonsAndFailsOnARejection(t *testing.T) {
	t.Parallel()
	lines, summary, err := runValidateTest(t, validPV+"\n\n"+pixel+"\nnot a record\n"+ping+"\n")
	if err == nil || !strings.Contains(err.Error(), "1 rejected") {
		t.Fatalf("err = %v, want 1 rejected", err)
	}
	if !strings.Contains(summary, "4 records: 2 interactions, 1 rejected, 1 ignored") {
		t.Errorf("summary %q", summary)
	}
	byRecord := map[float64][]map[string]any{}
	for _, l := range lines {
		byRecord[l["record"].(float64)] = append(byRecord[l["record"].(float64)], l)
	}
	pv := byRecord[1][0]["interaction"].(map[string]any)
	if pv["product_gid"] != "handle:red-hat" || pv["variant_gid"] != schemas.VariantGID(42) || pv["user_id"] != "u1" {
		t.Errorf("record 1: %v", byRecord[1])
	}
	if a, _ := byRecord[1][1]["alias"].(map[string]any); a["anonymous"] != "d1" || a["user"] != "u1" {
		t.Errorf("record 1 alias: %v", byRecord[1])
	}
	if in := byRecord[3][0]["interaction"].(map[string]any); in["product_gid"] != schemas.ProductGID(7) || byRecord[3][0]["format"] != "shopify" {
		t.Errorf("record 3 (line 3): %v", byRecord[3])
	}
	if r := byRecord[4][0]; r["error_class"] != "malformed" || r["error"] == "" {
		t.Errorf("record 4: %v", r)
	}
	if r := byRecord[5][0]; r["ignored"] != 1.0 {
		t.Errorf("record 5: %v", r)
	}
}

func TestValidateReadsOnePrettyPrintedDocumentAsOneRecord(t *testing.T) {
	t.Parallel()
	var doc bytes.Buffer
	_ = json.Indent(&doc, []byte(`{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[`+validPV+`,`+ping+`]}`), "", "  ")
	lines, summary, err := runValidateTest(t, "\n"+doc.String())
	if err != nil || !strings.Contains(summary, "1 records: 1 interactions, 0 rejected, 1 ignored") {
		t.Fatalf("%v; %s", err, summary)
	}
	if lines[0]["record"] != 2.0 || lines[0]["event_index"] != 0.0 {
		t.Errorf("first line %v, want record 2 (its line), event 0", lines[0])
	}
}

func TestValidateResolvesHandlesThroughTheCatalogInRedis(t *testing.T) {
	t.Parallel()
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	store := features.New(rdb, features.Config{Prefix: "v"})
	if err := store.PutProducts(context.Background(), []schemas.Product{{GID: schemas.ProductGID(5), Handle: "red-hat"}}); err != nil {
		t.Fatal(err)
	}
	lines, _, err := runValidateTest(t, validPV, "--redis", srv.Addr(), "--prefix", "v", "--input-format", "snowplow")
	if err != nil || lines[0]["interaction"].(map[string]any)["product_gid"] != schemas.ProductGID(5) {
		t.Fatalf("%v, %v", lines, err)
	}
	if _, _, err := runValidateTest(t, validPV, "--input-format", "xml"); err == nil {
		t.Error("an unknown format was accepted")
	}
}
