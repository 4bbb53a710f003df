package scorer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// trigger is the latest interaction of one user in a batch.
type trigger struct {
	in  schemas.Interaction
	msg kafka.Message
}

// handle scores one batch: one list per user for their latest event.
func (s *Stage) handle(ctx context.Context, batch []kafka.Message) error {
	triggers := s.coalesce(batch)
	if len(triggers) == 0 {
		return nil
	}
	ids := make([]string, len(triggers))
	for k, t := range triggers {
		ids[k] = t.in.UserID
	}
	start := time.Now()
	users, err := s.store.Users(ctx, ids, s.cfg.HistoryLen)
	if err != nil {
		return err
	}
	s.metrics.redis.Observe(time.Since(start).Seconds())
	recs, err := s.recommend(ctx, triggers, users)
	if err != nil {
		return err
	}
	if err := s.store.PutRecommendations(ctx, recs); err != nil {
		return err
	}
	return s.produce(ctx, triggers, recs)
}

// coalesce decodes the batch and keeps each user's latest interaction.
func (s *Stage) coalesce(batch []kafka.Message) []trigger {
	index := map[string]int{}
	var out []trigger
	for _, m := range batch {
		in, err := s.codecs.DecodeInteraction(m.Value)
		if err != nil {
			s.metrics.events.WithLabelValues("undecodable").Inc()
			s.log.Error("undecodable interaction skipped", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "err", err)
			continue
		}
		s.metrics.events.WithLabelValues("scored").Inc()
		if k, ok := index[in.UserID]; ok {
			out[k] = trigger{in, m}
			s.metrics.coalesced.Inc()
			continue
		}
		index[in.UserID] = len(out)
		out = append(out, trigger{in, m})
	}
	return out
}

func (s *Stage) recommend(ctx context.Context, triggers []trigger, users []features.User) ([]schemas.Recommendation, error) {
	model := s.Current()
	version := "popularity"
	if model != nil {
		version = model.Version()
	}
	fill := &backfill{store: s.store}
	recs := make([]schemas.Recommendation, len(triggers))
	for k, t := range triggers {
		exclude := s.exclusions(users[k])
		var items []schemas.ScoredItem
		reason := schemas.ReasonPopular
		if model != nil {
			items, reason = model.Rank(users[k].History, s.cfg.N, exclude)
		}
		fromModel := len(items)
		items, filled, err := fill.complete(ctx, items, s.cfg.N, exclude)
		if err != nil {
			return nil, err
		}
		if filled && fromModel == 0 && model != nil {
			reason = schemas.ReasonBackfill // rules or a thin model left nothing of its own
		}
		recs[k] = s.record(t, items, version, reason)
	}
	return recs, nil
}

func (s *Stage) exclusions(u features.User) []string {
	var ex []string
	if !s.cfg.KeepPurchased {
		for gid := range u.Purchased {
			ex = append(ex, gid)
		}
	}
	if s.cfg.ExcludeSeen {
		for gid := range u.Seen {
			ex = append(ex, gid)
		}
	}
	return ex
}

func (s *Stage) record(t trigger, items []schemas.ScoredItem, version, reason string) schemas.Recommendation {
	trig := schemas.Trigger{EventID: t.in.EventID, Offset: schemas.Offset{Topic: t.msg.Topic, Partition: t.msg.Partition, Offset: t.msg.Offset}}
	// Deterministic: a redelivered trigger scored by the same model gets the same id.
	sum := sha256.Sum256([]byte(version + "|" + trig.Offset.String()))
	return schemas.Recommendation{
		UserID: t.in.UserID, RecommendationID: hex.EncodeToString(sum[:12]), Items: items,
		ModelVersion: version, Reason: reason, GeneratedAt: time.Now().UTC(), Trigger: trig,
	}
}

func (s *Stage) produce(ctx context.Context, triggers []trigger, recs []schemas.Recommendation) error {
	msgs := make([]kafka.Message, len(recs))
	for k, r := range recs {
		value, err := s.encode(r)
		if err != nil {
			return err
		}
		msgs[k] = kafka.Message{Key: []byte(r.UserID), Value: value, Headers: sourceHeader(triggers[k].msg)}
	}
	start := time.Now()
	if err := s.writer.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("producing recommendations: %w", err)
	}
	now := time.Now()
	s.metrics.produce.Observe(now.Sub(start).Seconds())
	for _, t := range triggers {
		if ms, ok := SourceTime(t.msg.Headers); ok {
			s.metrics.latency.Observe(now.Sub(ms).Seconds())
		}
	}
	s.metrics.lists.Add(float64(len(recs)))
	return nil
}

func (s *Stage) encode(r schemas.Recommendation) ([]byte, error) {
	if s.cfg.Format == "avro" {
		return s.codecs.EncodeRecommendation(r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding recommendation: %w", err)
	}
	return b, nil
}

func sourceHeader(m kafka.Message) []kafka.Header {
	for _, h := range m.Headers {
		if h.Key == HeaderSourceTime {
			return []kafka.Header{h}
		}
	}
	return nil
}

// SourceTime reads the HeaderSourceTime header.
func SourceTime(headers []kafka.Header) (time.Time, bool) {
	for _, h := range headers {
		if h.Key == HeaderSourceTime {
			ms, err := strconv.ParseInt(string(h.Value), 10, 64)
			return time.UnixMilli(ms), err == nil
		}
	}
	return time.Time{}, false
}
