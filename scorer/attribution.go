package scorer

import (
	"context"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// watchAttribution copies the attribution totals of every replica (kept in
// Redis by Tally) into gauges every RefreshInterval, for the model versions
// in use (served and shadow): this is how a shop sees online whether a new
// model does better. Only versions in use are exported, so the series do
// not grow with every retraining.
func (s *Stage) watchAttribution(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.cfg.RefreshInterval):
		}
		if err := s.RefreshAttribution(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("reading attribution totals", "err", err)
		}
	}
}

// RefreshAttribution reads the attribution totals into the gauges now.
func (s *Stage) RefreshAttribution(ctx context.Context) error {
	totals, err := s.store.AttributionTotals(ctx)
	if err != nil {
		return err
	}
	s.metrics.attrLists.Reset()
	s.metrics.attrEvents.Reset()
	s.metrics.attrRate.Reset()
	for _, sl := range []*slot{s.serving, s.shadow} {
		model := sl.current()
		if model == nil {
			continue
		}
		key := features.ListKey{Role: sl.role, Version: model.Version()}
		c := totals[key]
		s.metrics.attrLists.WithLabelValues(key.Role, key.Version).Set(float64(c.Lists))
		for _, t := range []schemas.EventType{schemas.View, schemas.AddToCart, schemas.Purchase} {
			n := float64(c.Events[t])
			s.metrics.attrEvents.WithLabelValues(key.Role, key.Version, string(t)).Set(n)
			if c.Lists > 0 {
				s.metrics.attrRate.WithLabelValues(key.Role, key.Version, string(t)).Set(n / float64(c.Lists))
			}
		}
	}
	return nil
}
