package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/features/redisserver"
	"github.com/recsys/recsys/ingest/synth"
	"github.com/recsys/recsys/schemas"
)

// buildBinary compiles recsys into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "recsys")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("building recsys: %v\n%s", err, out)
	}
	return bin
}

// proc is a recsys subprocess.
type proc struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{}
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }() // joined by kill
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("output of %v:\n%s", args, p.out.String())
		}
	})
	return p
}

// kill sends SIGKILL: no graceful shutdown, no final commit.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// faultWorld is a broker address, a redis-server and the events sent.
type faultWorld struct {
	brokers []string
	rdb     *redis.Client
	store   *features.Store
	events  []schemas.Event
	args    []string
}

func newFaultWorld(t *testing.T, brokers []string) *faultWorld {
	t.Helper()
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { rdb.Close() })
	gen, err := synth.New(synth.Config{Users: 150, Products: 200, SessionsPerUser: 5, End: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	w := &faultWorld{brokers: brokers, rdb: rdb, events: collectEvents(gen),
		store: features.New(rdb, features.Config{HistoryLen: 100000})}
	w.args = []string{"--brokers", brokers[0], "--redis", srv.Addr(), "--metrics-addr", "",
		"--history-len", "100000", "--ingest-workers", "1", "--scorer-workers", "1", "--log-level", "warn"}
	return w
}

func (w *faultWorld) send(t *testing.T, events []schemas.Event) {
	t.Helper()
	wr := newWriter(w.brokers, "clickstream.events")
	defer wr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := send(ctx, wr, messages(events, nil), 0); err != nil {
		t.Fatal(err)
	}
}

// createTopics creates the default topics once the broker answers.
func (w *faultWorld) createTopics(t *testing.T) {
	t.Helper()
	var c config
	c.define(newFlagSet("x", func(string) string { return "" }, io.Discard))
	waitUntil(t, 20*time.Second, "the broker", func() bool {
		return ensureTopics(context.Background(), nil, w.brokers, topicSpecs(c.Topics, c.Partitions, c.Trainer.Window)) == nil
	})
}

// sendPaced sends every event at rate per second in the background, resending
// a chunk the broker did not take (a producer's at-least-once: the copies are
// duplicates that recsys must not apply twice).
func (w *faultWorld) sendPaced(t *testing.T, rate int) <-chan error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		wr := newWriter(w.brokers, "clickstream.events")
		defer wr.Close()
		chunk := rate / 10
		for k := 0; k < len(w.events); k += chunk {
			part := w.events[k:min(k+chunk, len(w.events))]
			deadline := time.Now().Add(60 * time.Second)
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := send(ctx, wr, messages(part, nil), 0)
				cancel()
				if err == nil {
					break
				}
				if time.Now().After(deadline) {
					errc <- fmt.Errorf("broker did not take events for 60s: %w", err)
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
		}
		errc <- nil
	}()
	return errc
}

// applied counts history entries in Redis over all users.
func (w *faultWorld) applied(t *testing.T) int {
	t.Helper()
	users, err := w.store.Users(context.Background(), userIDs(w.events), 1<<30)
	if err != nil {
		return -1 // Redis may be restarting
	}
	n := 0
	for _, u := range users {
		n += len(u.History)
	}
	return n
}

func userIDs(events []schemas.Event) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range events {
		if !seen[e.UserID] {
			seen[e.UserID] = true
			out = append(out, e.UserID)
		}
	}
	return out
}

// waitUntil polls cond every 50ms for up to d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkExactlyOnce asserts every event's effect is in Redis once: each user's
// history holds exactly their events, and popularity equals the sum of the
// forward-decayed weights of all events.
func (w *faultWorld) checkExactlyOnce(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	want := map[string]int{}
	for _, e := range w.events {
		want[e.UserID]++
	}
	users, err := w.store.Users(ctx, userIDs(w.events), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if len(u.History) != want[u.ID] {
			t.Errorf("%s: %d history entries, want %d (lost or doubled effects)", u.ID, len(u.History), want[u.ID])
		}
	}
	w.checkPopularity(t)
}

func (w *faultWorld) checkPopularity(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	epoch, err := w.rdb.Get(ctx, "recsys:{pop}:epoch").Int64()
	if err != nil {
		t.Fatal(err)
	}
	weights, half := features.DefaultWeights(), (72 * time.Hour).Milliseconds()
	var wantSum float64
	for _, e := range w.events {
		wantSum += weights[e.Type] * pow2(float64(e.Time.UnixMilli()-epoch)/float64(half))
	}
	zs, err := w.rdb.ZRangeWithScores(ctx, "recsys:{pop}:scores", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	for _, z := range zs {
		got += z.Score
	}
	if diff := got/wantSum - 1; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("popularity sums to %v, want %v: some increments were lost or doubled", got, wantSum)
	}
}

func pow2(x float64) float64 { return math.Exp2(x) }

// latestListsAreForLastEvents waits until every user's cached list answers
// their last event: every triggering event got its recommendation.
func (w *faultWorld) latestListsAreForLastEvents(t *testing.T, d time.Duration) {
	t.Helper()
	last := map[string]string{}
	for _, e := range w.events {
		last[e.UserID] = e.EventID
	}
	waitUntil(t, d, "a list for every user's last event", func() bool {
		for user, eid := range last {
			r, err := w.store.Recommendation(context.Background(), user)
			if err != nil || r.Trigger.EventID != eid {
				return false
			}
		}
		return true
	})
}

func TestStagesKilledMidStreamLoseAndDoubleNothing(t *testing.T) {
	bin := buildBinary(t)
	broker := testBroker(t)
	w := newFaultWorld(t, broker.ListenAddrs())
	w.createTopics(t)
	ingest := startProc(t, bin, append([]string{"run", "ingest"}, w.args...)...)
	scorer := startProc(t, bin, append([]string{"run", "scorer"}, w.args...)...)
	w.send(t, w.events)
	n := len(w.events)
	waitUntil(t, 60*time.Second, "ingest to start applying", func() bool { return w.applied(t) > n/5 })
	ingest.kill()
	scorer.kill()
	t.Logf("killed ingest and scorer with %d of %d events applied", w.applied(t), n)
	startProc(t, bin, append([]string{"run", "ingest"}, w.args...)...)
	startProc(t, bin, append([]string{"run", "scorer"}, w.args...)...)
	waitUntil(t, 90*time.Second, "every event applied", func() bool { return w.applied(t) >= n })
	w.latestListsAreForLastEvents(t, 60*time.Second)
	w.checkExactlyOnce(t)
}

func TestBrokerRestartMidStreamLosesNothing(t *testing.T) {
	bin := buildBinary(t)
	port, dir := freeTCPPort(t), t.TempDir()
	brokerArgs := []string{"broker", "--port", strconv.Itoa(port), "--data-dir", dir}
	broker := startProc(t, bin, brokerArgs...)
	addr := []string{"127.0.0.1:" + strconv.Itoa(port)}
	w := newFaultWorld(t, addr)
	w.createTopics(t)
	startProc(t, bin, append([]string{"run", "all"}, w.args...)...)
	sent := w.sendPaced(t, 1500)
	waitUntil(t, 60*time.Second, "a third applied", func() bool { return w.applied(t) > len(w.events)/3 })
	broker.kill()
	t.Logf("killed the broker with %d of %d events applied", w.applied(t), len(w.events))
	time.Sleep(500 * time.Millisecond)
	startProc(t, bin, brokerArgs...)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 90*time.Second, "every event applied", func() bool { return w.applied(t) >= len(w.events) })
	w.latestListsAreForLastEvents(t, 60*time.Second)
	w.checkExactlyOnce(t)
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestSIGTERMFinishesAndCommitsTheBatchInHand(t *testing.T) {
	bin := buildBinary(t)
	broker := testBroker(t)
	w := newFaultWorld(t, broker.ListenAddrs())
	w.createTopics(t)
	// Generous deadlines: the suite runs with -race on a shared 2-core machine.
	first := startProc(t, bin, append([]string{"run", "ingest", "--shutdown-timeout", "20s"}, w.args...)...)
	w.send(t, w.events)
	waitUntil(t, 60*time.Second, "ingest to start applying", func() bool { return w.applied(t) > len(w.events)/4 })
	start := time.Now()
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.done:
	case <-time.After(30 * time.Second):
		t.Fatal("ingest did not exit within 30s of SIGTERM")
	}
	if code := first.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM; want 0", code)
	}
	applied := w.applied(t)
	t.Logf("stopped in %v with %d of %d events applied", time.Since(start).Round(time.Millisecond), applied, len(w.events))
	// Everything the process applied was committed, and nothing more: the
	// group's committed offsets add up to the events in Redis (one per record).
	parts, err := newLagCollector(&kafka.Client{Addr: kafka.TCP(w.brokers...)}, nil).partitions(context.Background(), "recsys-ingest", "clickstream.events")
	if err != nil {
		t.Fatal(err)
	}
	committed := int64(len(w.events))
	for _, o := range parts {
		committed -= o.lag()
	}
	if committed != int64(applied) {
		t.Fatalf("committed %d records but applied %d events: a graceful stop must commit exactly what it applied", committed, applied)
	}
	startProc(t, bin, append([]string{"run", "ingest"}, w.args...)...)
	waitUntil(t, 60*time.Second, "every event applied", func() bool { return w.applied(t) >= len(w.events) })
	w.checkExactlyOnce(t)
}
