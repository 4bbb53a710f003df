package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features/redisserver"
)

// TestMain lets the test binary stand in for the recsys binary in child
// processes (the bench's broker): with RECSYS_TEST_MAIN=1 it runs main.
func TestMain(m *testing.M) {
	if os.Getenv("RECSYS_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func noEnv(string) string { return "" }

// runBenchForTest runs `recsys bench` with a small shop and returns its output.
func runBenchForTest(t *testing.T, args ...string) string {
	t.Helper()
	t.Setenv("RECSYS_TEST_MAIN", "1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	args = append([]string{"bench", "--duration", "3s", "--warmup", "1500", "--users", "200", "--products", "150", "--partitions", "2"}, args...)
	if err := run(ctx, args, noEnv, &out, &out); err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	return out.String()
}

// number returns the first capture of re in out as a float, failing the test if absent.
func number(t *testing.T, out, re string) float64 {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in the bench report:\n%s", re, out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBenchReportsRatesLatencyAndEveryProcess(t *testing.T) {
	out := runBenchForTest(t, "--rate", "400")
	if !strings.Contains(out, "2 ingest and 2 scorer workers; topics created with 2 partitions") {
		t.Errorf("the report does not say how the pipeline ran:\n%s", out)
	}
	if in := number(t, out, `(?m)^ingest +(\d+) events/s sustained`); in < 200 || in > 600 {
		t.Errorf("ingest sustained %v events/s at 400 offered:\n%s", in, out)
	}
	if sc := number(t, out, `(?m)^scorer +(\d+) events/s`); sc <= 0 {
		t.Errorf("scorer %v events/s:\n%s", sc, out)
	}
	if lists := number(t, out, `over (\d+) lists`); lists <= 0 {
		t.Errorf("no list latency measured:\n%s", out)
	}
	if p99 := number(t, out, `p99 ([\d.]+)ms`); p99 <= 0 {
		t.Errorf("p99 %v ms:\n%s", p99, out)
	}
	if runs := number(t, out, `(?m)^trainer +trained before measuring.*runs finished during it: (\d+)`); runs != 0 {
		t.Errorf("the trainer ran %v times during a run without --retrain:\n%s", runs, out)
	}
	if dlq := number(t, out, `(?m)^dead-letter queue +(\d+)`); dlq != 0 {
		t.Errorf("%v records dead-lettered from clean synthetic input:\n%s", dlq, out)
	}
	if strings.Contains(out, "behind retention") {
		t.Errorf("a consumer fell behind retention at 400 events/s:\n%s", out)
	}
	sum := 0.0
	for _, proc := range []string{"recsys", "broker", "redis"} {
		sum += number(t, out, `(?m)^`+proc+` +([\d.]+) cores`)
	}
	if all := number(t, out, `(?m)^all three +([\d.]+) of the machine`); math.Abs(all-sum) > 0.015 {
		t.Errorf("all three use %v cores, the processes %v:\n%s", all, sum, out)
	}
	for _, proc := range []string{"recsys", "broker", "redis"} {
		if rss := number(t, out, `(?m)^`+proc+` +[\d.]+ cores · rss (\d+) MB`); rss <= 0 {
			t.Errorf("%s rss %v MB:\n%s", proc, rss, out)
		}
	}
}

func TestBenchRetrainsDuringTheRunWhenAsked(t *testing.T) {
	out := runBenchForTest(t, "--rate", "400", "--retrain", "1s")
	if runs := number(t, out, `(?m)^trainer +runs finished during the run: (\d+)`); runs < 1 {
		t.Errorf("the trainer ran %v times during a 3 s run retraining every second:\n%s", runs, out)
	}
	if lists := number(t, out, `over (\d+) lists`); lists <= 0 {
		t.Errorf("no list latency measured while retraining:\n%s", out)
	}
}

func TestBenchMeasuresIngestAlone(t *testing.T) {
	dir := t.TempDir()
	cpu, heap := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof")
	out := runBenchForTest(t, "--stages", "ingest", "--users", "3000", // enough events for 3 s flat out
		"--cpu-profile", cpu, "--heap-profile", heap)
	for _, p := range []string{cpu, heap} {
		if b, err := os.ReadFile(p); err != nil || len(b) < 100 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s is not a gzipped profile (%d bytes, %v)", p, len(b), err)
		}
	}
	if in := number(t, out, `(?m)^ingest +(\d+) events/s sustained`); in <= 0 {
		t.Errorf("ingest %v events/s:\n%s", in, out)
	}
	if !strings.Contains(out, "pipeline                2 ingest workers; topics created with 2 partitions") {
		t.Errorf("the report of ingest alone does not say how it ran:\n%s", out)
	}
	if strings.Contains(out, "ran out of events") {
		t.Errorf("the shop ran out of events before the end of the run:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^scorer +not run`).MatchString(out) {
		t.Errorf("the report does not say the scorer was not run:\n%s", out)
	}
}

func TestBenchRefusesStagesItCannotRun(t *testing.T) {
	for _, stages := range []string{"scorer,trainer", "ingest,scorer", "ingest,ranker"} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"bench", "--stages", stages}, noEnv, &out, &out)
		if err == nil {
			t.Errorf("--stages %s: no error", stages)
		}
	}
}

// The report says when retention deleted records before a stage read them,
// with the most any one-second sample found.
func TestBenchReportsRecordsDeletedBeforeAStageReadThem(t *testing.T) {
	var out strings.Builder
	r := &benchReport{samples: []benchSample{{behindRetention: 0}, {behindRetention: 4200}, {behindRetention: 700}}}
	r.print(&out, &benchConfig{stages: []string{"ingest"}, external: true})
	if got := number(t, out.String(), `(?m)^behind retention +up to (\d+) records deleted`); got != 4200 {
		t.Fatalf("behind retention %v; want 4200:\n%s", got, out.String())
	}
}

func TestTopicsHaveTheirPartitionsBeforeTheWatcherReadsThem(t *testing.T) {
	broker := testBroker(t) // creates topics on demand, with its own partition count
	var c config
	c.define(newFlagSet("topics", noEnv, io.Discard))
	c.Brokers, c.Redis, c.Partitions = broker.ListenAddrs(), []string{redisserver.ForTest(t).Addr()}, 3
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(c.Brokers...)}
	_, err := withPipeline(ctx, &c, nil, prometheus.NewRegistry(), slog.New(slog.DiscardHandler), false,
		func(ctx context.Context, _ *outputWatch) error {
			meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{c.Topics.Recommendations, c.Topics.Interactions}})
			if err != nil {
				return err
			}
			for _, topic := range meta.Topics {
				if topic.Error != nil || len(topic.Partitions) != 3 {
					t.Errorf("topic %s: %d partitions (error %v) as the watcher starts; want 3", topic.Name, len(topic.Partitions), topic.Error)
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}
