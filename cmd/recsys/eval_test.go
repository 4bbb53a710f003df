package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeClusteredTSV writes 200 users who each buy 8 of their cluster's 15
// items (three clusters), one item per hour.
func writeClusteredTSV(t *testing.T) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	for u := 0; u < 200; u++ {
		c := u % 3
		for k, j := range rng.Perm(15)[:8] {
			fmt.Fprintf(&b, "user%d\tc%d-item%d\t%d\n", u, c, j, 1_700_000_000+3600*(u+k))
		}
	}
	path := filepath.Join(t.TempDir(), "log.tsv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalPrintsJSONAndWritesTopKListsAndAPlot(t *testing.T) {
	input := writeClusteredTSV(t)
	recs := filepath.Join(t.TempDir(), "recs")
	plot := filepath.Join(t.TempDir(), "k.png")
	var out, errb bytes.Buffer
	args := []string{"eval", "--input", input, "--models", "als,bpr,transitions", "--k", "5,10",
		"--threads", "2", "--json", "--recs-out", recs, "--plot", plot, "--blend=false"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, errb.String())
	}
	var rep struct {
		Protocol  string
		TestUsers int `json:"test_users"`
		Results   []struct {
			Model   string
			Threads int
			Metrics []struct {
				K  int
				HR float64
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Protocol != "llo" || rep.TestUsers != 200 || len(rep.Results) != 4 {
		t.Fatalf("report = %+v", rep)
	}
	hr := map[string]float64{}
	for k, r := range rep.Results {
		if want := []string{"popularity", "als", "bpr", "transitions"}[k]; r.Model != want || r.Threads != 2 || len(r.Metrics) != 2 {
			t.Errorf("row %d = %+v, want model %s on 2 threads at 2 cut-offs", k, r, want)
		}
		hr[r.Model] = r.Metrics[1].HR
	}
	// Clusters make the held-out item one of 7 unseen cluster items out of 45.
	if hr["als"] < 2*hr["popularity"] || hr["bpr"] < 2*hr["popularity"] || hr["als"] < 0.9 {
		t.Errorf("HR@10 = %v: CF should find the cluster", hr)
	}
	for _, name := range []string{"popularity", "als", "bpr", "transitions", "test"} {
		data, err := os.ReadFile(filepath.Join(recs, name+".tsv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		user, list, ok := strings.Cut(lines[0], "\t")
		if len(lines) != 200 || !ok || !strings.HasPrefix(user, "user") || !strings.HasPrefix(list, "c") {
			t.Errorf("%s.tsv: %d lines, first %q", name, len(lines), lines[0])
		}
		if n := len(strings.Split(list, ",")); name != "test" && n != 10 {
			t.Errorf("%s.tsv: %d items per list, want 10", name, n)
		}
	}
	if png, err := os.ReadFile(plot); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("plot: %v, %d bytes", err, len(png))
	}
	if !strings.Contains(errb.String(), "als: fitted in") {
		t.Errorf("no progress on stderr: %q", errb.String())
	}
}

func TestEvalPrintsATableWithAPopularityRow(t *testing.T) {
	input := writeClusteredTSV(t)
	var out, errb bytes.Buffer
	args := []string{"eval", "--input", input, "--models", "als", "--protocol", "random", "--k", "10", "--seed", "3"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, errb.String())
	}
	table := out.String()
	for _, want := range []string{"protocol random", "model", "NDCG", "train s", "popularity", "als"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	again := bytes.Buffer{}
	if err := run(context.Background(), args, func(string) string { return "" }, &again, &errb); err != nil {
		t.Fatal(err)
	}
	if stripTimes(again.String()) != stripTimes(table) {
		t.Errorf("two runs with one seed differ:\n%s\n%s", table, again.String())
	}
}

// stripTimes drops the timing columns, which vary run to run.
func stripTimes(table string) string {
	var b strings.Builder
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) > 3 {
			f = f[:len(f)-3]
		}
		b.WriteString(strings.Join(f, " ") + "\n")
	}
	return b.String()
}

func TestEvalRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"eval"},
		{"eval", "--input", "x.tsv", "--protocol", "loo"},
		{"eval", "--input", "x.tsv", "--k", "ten"},
		{"eval", "--input", "x.tsv", "--cut", "last tuesday"},
	} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &errb); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
