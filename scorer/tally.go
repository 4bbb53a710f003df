package scorer

import (
	"context"
	"strconv"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// attributed reports whether an event of type t can be attributed to a list:
// a view of a recommended product is a click-through, an add-to-cart or a
// purchase a conversion.
func attributed(t schemas.EventType) bool {
	return t == schemas.View || t == schemas.AddToCart || t == schemas.Purchase
}

// attributable is, per event, the user and product whose exposures decide
// its attribution (the same order as events).
func attributable(events []trigger) []features.UserProduct {
	out := make([]features.UserProduct, len(events))
	for k, e := range events {
		if attributed(e.in.Type) {
			out[k] = features.UserProduct{User: e.in.UserID, Product: e.in.ProductGID}
		}
	}
	return out
}

// tallies groups every fetched event by interaction-log partition for
// features.Store.Record, with the lists it is attributed to: the store
// counts each offset once into category trending, interaction counts and
// attribution, so a redelivered batch adds nothing.
func (s *Stage) tallies(look *lookup, events []trigger, exposures [][]features.Exposed) map[string][]features.TallyEvent {
	parts := map[string][]features.TallyEvent{}
	for k, e := range events {
		te := features.TallyEvent{Offset: e.msg.Offset, Product: e.in.ProductGID, Category: look.category(e.in.ProductGID),
			Type: e.in.Type, Time: e.in.Time}
		if attributed(e.in.Type) {
			for _, x := range exposures[k] {
				if s.credits(x, e) {
					te.Attributed = append(te.Attributed, x.ListKey)
				}
			}
		}
		tp := e.msg.Topic + "/" + strconv.Itoa(e.msg.Partition)
		parts[tp] = append(parts[tp], te)
	}
	return parts
}

// flushLists writes the list counts still carried (at shutdown).
func (s *Stage) flushLists(ctx context.Context) {
	if len(s.carried) == 0 {
		return
	}
	if _, err := s.store.Tally(ctx, nil, s.carried); err != nil {
		s.log.Warn("writing the last list counts; they are lost", "err", err)
	}
	s.carried = nil
}

// credits reports whether exposure x earns event e: the list came from an
// earlier interaction and at most AttributionWindow before e (event time).
func (s *Stage) credits(x features.Exposed, e trigger) bool {
	age := e.in.Time.Sub(x.At)
	if age < 0 || age > s.cfg.AttributionWindow {
		return false
	}
	// A list answers its own trigger: same partition, so compare offsets.
	return x.Trigger.Partition != e.msg.Partition || x.Trigger.Offset < e.msg.Offset
}

// countLists counts the new lists (not redeliveries) per version and role.
func countLists(serving, shadow []schemas.Recommendation, fresh []bool) map[features.ListKey]int {
	out := map[features.ListKey]int{}
	for k, r := range serving {
		if fresh[k] {
			out[features.ListKey{Role: features.RoleServing, Version: r.ModelVersion}]++
		}
	}
	for k, r := range shadow {
		if fresh[len(serving)+k] {
			out[features.ListKey{Role: features.RoleShadow, Version: r.ModelVersion}]++
		}
	}
	return out
}
