package synth

import (
	"container/heap"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/recsys/recsys/schemas"
)

// cursor is one user's place in the stream: the session in progress and the
// random stream that draws the user's sessions.
type cursor struct {
	user     int
	rng      *rand.Rand
	events   []step // the current session
	pos      int    // next event of events to emit
	id       string // of the current session
	sessions int
}

// stream merges the users' sessions into one time-ordered sequence. Each
// user has at most one generated session pending, so memory is O(users).
type stream struct {
	g       *Generator
	session session
	pending cursors
	emitted uint64
	id      []byte
}

func (g *Generator) newStream() *stream {
	s := &stream{g: g, session: session{cat: g.cat, end: g.cfg.End}}
	start := g.cfg.End.Add(-g.cfg.Period)
	s.pending = make(cursors, 0, len(g.users))
	for i := range g.users {
		c := &cursor{user: i, rng: newRand(g.cfg.Seed, streamSessions, uint64(i))}
		if s.refill(c, start) {
			s.pending = append(s.pending, c)
		}
	}
	heap.Init(&s.pending)
	return s
}

// pop returns the earliest pending event and, when it ends its session,
// generates the user's next session.
func (s *stream) pop() schemas.Event {
	c := s.pending[0]
	ev := s.session.event(c.events[c.pos], &s.g.users[c.user], c.id)
	c.pos++
	if c.pos < len(c.events) || s.refill(c, ev.Time.Add(SessionGap)) {
		heap.Fix(&s.pending, 0)
	} else {
		heap.Pop(&s.pending)
	}
	s.emitted++
	s.id = append(append(s.id[:0], s.g.prefix...), '-')
	s.id = strconv.AppendUint(s.id, s.emitted, 10)
	ev.EventID = string(s.id)
	return ev
}

// refill generates the first session of c's user that starts after from. It
// reports false when no session starts before the end of the period.
func (s *stream) refill(c *cursor, from time.Time) bool {
	u := &s.g.users[c.user]
	start, ok := nextStart(c.rng, from, s.g.cfg.End, u.rate)
	if !ok {
		return false
	}
	c.sessions++
	c.id = s.g.prefix + "-" + u.id + "-" + strconv.Itoa(c.sessions)
	c.events = s.session.run(c.events[:0], u, c.rng, start)
	c.pos = 0
	return len(c.events) > 0
}

// cursors is a min-heap of cursors by the time of their next event, ties
// broken by user so that the order is deterministic.
type cursors []*cursor

func (h cursors) Len() int { return len(h) }

func (h cursors) Less(i, j int) bool {
	a, b := h[i].events[h[i].pos].at, h[j].events[h[j].pos].at
	if a == b {
		return h[i].user < h[j].user
	}
	return a < b
}

func (h cursors) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *cursors) Push(x any) { *h = append(*h, x.(*cursor)) }

func (h *cursors) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return c
}
