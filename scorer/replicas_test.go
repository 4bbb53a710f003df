package scorer_test

import (
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/scorer"
)

func TestReplicasInOneGroupEachSwapModelsAndARestartKeepsServing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.announce(t, "default", "v1", fixedRanker{version: "v1", items: gids(1, 2, 3)})
	cfg := scorer.Config{N: 2}
	a, stopA := h.start(t, cfg)
	b, _ := h.start(t, cfg)
	rd := h.output(t)
	users := []string{userOnPartition(0, "p0-"), userOnPartition(1, "p1-")}
	served(t, h, rd, users, "v1")

	h.announce(t, "default", "v2", fixedRanker{version: "v2", items: gids(4, 5, 6)})
	served(t, h, rd, users, "v2") // both partitions, whichever replica owns them
	for name, s := range map[string]*scorer.Stage{"a": a, "b": b} {
		if m := s.Current(); m == nil || m.Version() != "v2" {
			t.Errorf("replica %s serves %v; want v2", name, m)
		}
	}

	stopA() // b takes over a's partitions
	served(t, h, rd, users, "v2")
	h.start(t, cfg) // a comes back and rejoins the group
	served(t, h, rd, users, "v2")
}

// served sends an event per user until each gets a list from version.
func served(t *testing.T, h *harness, rd *kafka.Reader, users []string, version string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, u := range users {
		for {
			r := nextFor(t, rd, u, h.interact(t, u, schemas.View, 9))
			if r.ModelVersion == version {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still served by %s; want %s", u, r.ModelVersion, version)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
