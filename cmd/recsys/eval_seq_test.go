package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

func TestEvalAddsABlendRowWithTunedWeights(t *testing.T) {
	input := writeClusteredTSV(t)
	var out, errb bytes.Buffer
	args := []string{"eval", "--input", input, "--models", "transitions,sknn", "--k", "10", "--json"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, errb.String())
	}
	var rep struct {
		Results []struct {
			Model   string
			Weights map[string]float64
			Metrics []struct{ HR float64 }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if n := len(rep.Results); n != 4 || rep.Results[n-1].Model != "blend" {
		t.Fatalf("results %+v; want popularity, transitions, sknn and blend", rep.Results)
	}
	blend := rep.Results[3]
	var sum float64
	for _, w := range blend.Weights {
		sum += w
	}
	if len(blend.Weights) != 3 || sum < 0.999 || sum > 1.001 {
		t.Errorf("blend weights %v; want one per model, summing to 1", blend.Weights)
	}
	if !strings.Contains(errb.String(), "blend: weights") {
		t.Errorf("no blend progress on stderr: %q", errb.String())
	}
}

// writeSLIFiles writes a tiny protocol-SLI directory: 30 users walking the
// cycle 0→1→…→19, and their valid (1+4) and test (1+9) groups.
func writeSLIFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var inter, valid, test strings.Builder
	item := func(k int) string { return fmt.Sprint("item-", k%20) }
	for u := range 30 {
		user := fmt.Sprint("user_", u)
		var hist []string
		for k := range 12 {
			fmt.Fprintf(&inter, "1\t%s\t%s\t%d\tcat\n", user, item(u+k), 1000+k)
			hist = append(hist, item(u+k))
		}
		group := func(b *strings.Builder, pos int, negs int) {
			h := strings.Join(hist[:pos], ",")
			cats := strings.TrimSuffix(strings.Repeat("cat,", pos), ",")
			fmt.Fprintf(b, "1\t%s\t%s\tcat\t1\t%s\t%s\t%s\n", user, hist[pos], h, cats, h)
			for j := range negs {
				fmt.Fprintf(b, "0\t%s\t%s\tcat\t1\t%s\t%s\t%s\n", user, item(u+pos+5+j), h, cats, h)
			}
		}
		group(&valid, 10, 4)
		group(&test, 11, 9)
	}
	for name, s := range map[string]string{"interactions.tsv": inter.String(), "valid_data_neg4.gz": valid.String(), "test_data_neg9.gz": test.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEvalProtocolSLIScoresTheGroupFilesBesideTheInput(t *testing.T) {
	dir := writeSLIFiles(t)
	var out, errb bytes.Buffer
	args := []string{"eval", "--protocol", "sli", "--input", filepath.Join(dir, "interactions.tsv"), "--models", "transitions,sknn"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, errb.String())
	}
	table := out.String()
	for _, want := range []string{"auc", "ndcg@6", "popularity", "transitions", "sknn", "blend", "blend+category (leaky)", "SLi-Rec (published)"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); len(f) == 8 && f[0] == "transitions" && f[1] == "test" && f[4] != "1.0000" {
			t.Errorf("transitions should rank the next item of a cycle first (mrr 1): %s", line)
		}
	}
}

// TestEvalOnTheDemoClickstream evaluates the sequence models on the demo
// generator's default shop (protocol LLO, JSON-lines input as `recsys
// produce` would send it) and logs the table.
func TestEvalOnTheDemoClickstream(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluation on the demo clickstream skipped in -short mode")
	}
	g, err := synth.New(synth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for e := range g.Events() {
		b, err := schemas.EncodeEventJSON(e)
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(append(b, '\n'))
	}
	input := filepath.Join(t.TempDir(), "demo.jsonl")
	if err := os.WriteFile(input, lines.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	args := []string{"eval", "--input", input, "--format", "jsonl", "--models", "transitions,sknn,gru,als,bpr", "--k", "10", "--json"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, errb.String())
	}
	var rep struct {
		Results []struct {
			Model   string
			Metrics []struct{ HR, NDCG float64 }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	ndcg := map[string]float64{}
	var b strings.Builder
	for _, r := range rep.Results {
		ndcg[r.Model] = r.Metrics[0].NDCG
		fmt.Fprintf(&b, "%-12s HR@10 %.4f NDCG@10 %.4f\n", r.Model, r.Metrics[0].HR, r.Metrics[0].NDCG)
	}
	t.Logf("LLO on the demo clickstream (synth defaults):\n%s", b.String())
	if ndcg["transitions"] < 2*ndcg["popularity"] || ndcg["blend"] < ndcg["popularity"] {
		t.Errorf("NDCG@10 %v: the sequence models should be far above popularity", ndcg)
	}
}
