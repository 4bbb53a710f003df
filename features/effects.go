package features

import (
	"context"
	"fmt"
	"time"
)

// Effects are the writes of one scorer batch: the lists to record for
// attribution (and cache), the events to tally and list counts to add.
type Effects struct {
	Exposures []Exposure
	// Window is the attribution window the exposures are kept for.
	Window time.Duration
	// Partitions maps "topic/partition" of the interaction log to its events, in offset order.
	Partitions map[string][]TallyEvent
	// Lists adds to the list counts per version and role.
	Lists map[ListKey]int
}

// Recorded is what Record did.
type Recorded struct {
	// Fresh reports per exposure whether the list is new (see RecordExposures).
	Fresh []bool
	// Attributed lists the attributions newly counted (see Tally).
	Attributed []Attributed
}

// Record applies RecordExposures and Tally together, in one round trip. It
// is idempotent except for Lists, which it adds as given: count only fresh
// lists, once.
func (s *Store) Record(ctx context.Context, e Effects) (Recorded, error) {
	var r Recorded
	pipe := s.rdb.Pipeline()
	exposed, err := s.queueExposures(ctx, pipe, e.Exposures, e.Window)
	if err != nil {
		return r, err
	}
	tallied := s.queueTally(ctx, pipe, e.Partitions, e.Lists)
	if pipe.Len() == 0 {
		return r, nil
	}
	if _, err := s.execPipe(ctx, pipe, exposeScript, tallyScript); err != nil {
		return r, fmt.Errorf("recording lists and tallies: %w", err)
	}
	r.Fresh = make([]bool, len(exposed))
	for k, c := range exposed {
		n, _ := c.Int()
		r.Fresh[k] = n == 1
	}
	r.Attributed, err = s.tallyRest(ctx, tallied)
	return r, err
}

// tallyRest collects the attributions of tally calls and counts again, alone,
// the events of partitions that were partly counted before (a redelivered
// batch overlapping a counted one).
func (s *Store) tallyRest(ctx context.Context, calls []tallyCall) ([]Attributed, error) {
	var out []Attributed
	rest := map[string][]TallyEvent{}
	for _, c := range calls {
		attributed, partial, hwm := c.result()
		out = append(out, attributed...)
		if !partial {
			continue
		}
		for k, e := range c.events {
			if e.Offset > hwm {
				rest[c.partition] = c.events[k:]
				break
			}
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	calls = s.queueTally(ctx, pipe, rest, nil)
	if _, err := s.execPipe(ctx, pipe, tallyScript); err != nil {
		return nil, fmt.Errorf("tallying interactions: %w", err)
	}
	for _, c := range calls {
		attributed, _, _ := c.result()
		out = append(out, attributed...)
	}
	return out, nil
}
