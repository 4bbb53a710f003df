package scorer

import (
	"time"
)

// debouncer turns a burst of one user's events into two lists: the first
// event is answered at once (a lone event waits for nothing); events within
// the window after a list wait, and at the window's end one trailing list
// answers the latest of them. Coalescing within a fetched batch already keeps
// one event per user; this extends it across batches.
//
// A waiting event holds back its partition's commits (see lowest), so a crash
// redelivers it rather than losing its list. Used by the consume loop only.
type debouncer struct {
	window  time.Duration
	last    map[string]time.Time // user → when their last list went out
	waiting map[string]*waiting  // user → the event their trailing list answers
}

type waiting struct {
	t   trigger
	due time.Time
}

func newDebouncer(window time.Duration) *debouncer {
	return &debouncer{window: window, last: map[string]time.Time{}, waiting: map[string]*waiting{}}
}

// admit returns the triggers to answer now; the others wait, replacing a
// waiting older event of the same user. It reports how many now wait.
func (d *debouncer) admit(now time.Time, ts []trigger) ([]trigger, int) {
	if d.window <= 0 {
		return ts, 0
	}
	var out []trigger
	held := 0
	for _, t := range ts {
		u := t.in.UserID
		if w, ok := d.waiting[u]; ok {
			w.t = t
			held++
			continue
		}
		if last, ok := d.last[u]; ok && now.Sub(last) < d.window {
			d.waiting[u] = &waiting{t: t, due: last.Add(d.window)}
			held++
			continue
		}
		out = append(out, t)
	}
	return out, held
}

// due removes and returns the waiting triggers whose window ended by now.
func (d *debouncer) due(now time.Time) []trigger {
	var out []trigger
	for u, w := range d.waiting {
		if !w.due.After(now) {
			out = append(out, w.t)
			delete(d.waiting, u)
		}
	}
	return out
}

// drain removes and returns every waiting trigger (on shutdown).
func (d *debouncer) drain() []trigger {
	return d.due(time.Unix(1<<40, 0))
}

// sent records that lists for ts went out at now and forgets users whose
// window has passed.
func (d *debouncer) sent(now time.Time, ts []trigger) {
	if d.window <= 0 {
		return
	}
	for u, last := range d.last {
		if now.Sub(last) >= d.window {
			delete(d.last, u)
		}
	}
	for _, t := range ts {
		d.last[t.in.UserID] = now
	}
}

// next is when the earliest waiting trigger is due.
func (d *debouncer) next() (time.Time, bool) {
	var first time.Time
	for _, w := range d.waiting {
		if first.IsZero() || w.due.Before(first) {
			first = w.due
		}
	}
	return first, !first.IsZero()
}

// lowest returns, per partition, the offset of the earliest waiting trigger:
// nothing from it on may be committed yet.
func (d *debouncer) lowest() map[partition]int64 {
	out := map[partition]int64{}
	for _, w := range d.waiting {
		p := partition{w.t.msg.Topic, w.t.msg.Partition}
		if off, ok := out[p]; !ok || w.t.msg.Offset < off {
			out[p] = w.t.msg.Offset
		}
	}
	return out
}

// partition names one topic partition.
type partition struct {
	topic string
	id    int
}
