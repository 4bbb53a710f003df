package trainer

import (
	"context"
	"fmt"
)

// tune searches the blend weights on d, which must exclude the gate's
// holdout: the parts are fitted on d minus each user's last item and the
// weights chosen by NDCG@10 on those items. The stage then fits and gates
// with them. With too few validation users the configured weights stay.
func (s *Stage) tune(ctx context.Context, d *Dataset, metrics map[string]float64) error {
	inner, valid := SplitLastOut(d)
	if len(valid) < minFresh {
		return nil
	}
	s.cfg.Blend = s.candidates // every configured algorithm competes again
	parts, err := s.fit(ctx, withoutHoldouts(d, valid))
	if err != nil {
		return fmt.Errorf("tuning the blend: %w", err)
	}
	weights, m, err := TuneBlend(ctx, parts, inner, valid, BlendConfig{Threads: s.cfg.Threads})
	if err != nil {
		return fmt.Errorf("tuning the blend: %w", err)
	}
	blend := map[string]float64{}
	for k, p := range parts {
		blend[p.Algorithm] = weights[k]
		metrics["weight_"+p.Algorithm] = weights[k]
	}
	metrics["tuning_ndcg@10"] = m.NDCG
	s.cfg.Blend = blend
	return nil
}
