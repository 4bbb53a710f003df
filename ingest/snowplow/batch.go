package snowplow

import (
	"github.com/recsys/recsys/ingest/decode"
	"github.com/recsys/recsys/schemas"
)

// Limits bound what one record may hold.
type Limits struct {
	// MaxEvents rejects a POST with more events as too_large. Default: 500.
	MaxEvents int
	// MaxProducts rejects an event with more product entities as too_large.
	// Default: 500.
	MaxProducts int
}

func (l Limits) withDefaults() Limits {
	if l.MaxEvents <= 0 {
		l.MaxEvents = 500
	}
	if l.MaxProducts <= 0 {
		l.MaxProducts = 500
	}
	return l
}

// add records what one tracker event became.
func add(b *decode.Batch, pos int, h hit, err *decode.Error, lim Limits) {
	b.AddAlias(h.alias)
	if err == nil {
		var events []schemas.Event
		var ignored bool
		events, ignored, err = h.events(lim)
		if err == nil && ignored {
			b.Ignored++
			return
		}
		for _, e := range events {
			b.Events = append(b.Events, e)
			b.Positions = append(b.Positions, pos)
		}
	}
	if err != nil {
		b.Rejects = append(b.Rejects, decode.Reject{Index: pos, Err: err})
	}
}

// clip shortens a quoted value in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
