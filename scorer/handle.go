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
	"golang.org/x/sync/errgroup"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// trigger is one decoded interaction and the record it came in.
type trigger struct {
	in  schemas.Interaction
	msg kafka.Message
}

// work is what one pass of the loop does: tally every event fetched, and
// answer the ready triggers (the first leading ones at once, the rest
// trailing lists of debounced bursts).
type work struct {
	events  []trigger
	ready   []trigger
	leading int
}

// handle tallies the events and produces one list per ready trigger (and one
// per shadow model), caching and recording them for attribution. It reads
// the users and the exposures in one round trip, then produces while it
// records and tallies.
func (s *Stage) handle(ctx context.Context, w work) error {
	users, exposed, err := s.read(ctx, w)
	if err != nil {
		return err
	}
	look := s.batchLookup()
	serving, shadow, err := s.score(ctx, look, w, users)
	if err != nil {
		return err
	}
	return s.emit(ctx, look, w, exposed, serving, shadow)
}

// emit produces the lists while it records them and tallies the events.
func (s *Stage) emit(ctx context.Context, look *lookup, w work, exposed [][]features.Exposed, serving, shadow []schemas.Recommendation) error {
	values, err := s.encodeAll(serving)
	if err != nil {
		return err
	}
	shadowValues, err := s.encodeAll(shadow)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.produce(gctx, s.cfg.OutputTopic, w.ready, serving, values, w.leading) })
	if len(shadow) > 0 {
		g.Go(func() error { return s.produce(gctx, s.cfg.ShadowTopic, w.ready, shadow, shadowValues, 0) })
	}
	exposures := exposuresOf(w.ready, serving, shadow)
	if s.cfg.Format == "json" {
		for k := range serving {
			exposures[k].JSON = values[k] // encoded once for the topic and the cache
		}
	}
	// A failed produce retries the batch: the lists are then recorded and
	// the events tallied again, which adds nothing twice. List counts are
	// added with the next batch's writes, to save a round trip, and dropped
	// before a write that may fail: they can fall short, never double.
	carried := s.carried
	s.carried = nil
	g.Go(func() error {
		r, err := s.store.Record(gctx, features.Effects{
			Exposures: exposures, Window: s.cfg.AttributionWindow,
			Partitions: s.tallies(look, w.events, exposed), Lists: carried,
		})
		if err != nil {
			return err
		}
		s.carried = countLists(serving, shadow, r.Fresh)
		for _, a := range r.Attributed {
			s.metrics.attributed.WithLabelValues(a.Role, string(a.Type)).Inc()
		}
		return nil
	})
	return g.Wait()
}

// read reads the users of the ready triggers and the lists that recommended
// the products of the events to their users.
func (s *Stage) read(ctx context.Context, w work) ([]features.User, [][]features.Exposed, error) {
	ids := make([]string, len(w.ready))
	for k, t := range w.ready {
		ids[k] = t.in.UserID
	}
	start := time.Now()
	users, exposed, err := s.store.UsersAndExposures(ctx, ids, s.cfg.HistoryLen, attributable(w.events))
	s.metrics.redis.Observe(time.Since(start).Seconds())
	return users, exposed, err
}

// score builds the lists of the ready triggers with the serving model and,
// if one is loaded, the shadow model.
func (s *Stage) score(ctx context.Context, look *lookup, w work, users []features.User) (serving, shadow []schemas.Recommendation, err error) {
	products := make([]string, len(w.events))
	for k, e := range w.events {
		products[k] = e.in.ProductGID
	}
	if len(w.ready) == 0 {
		return nil, nil, look.fetch(ctx, products) // categories for the tally
	}
	reqs := make([]request, len(w.ready))
	for k, t := range w.ready {
		reqs[k] = request{user: users[k], n: s.cfg.N, at: t.in.Time, seed: t.in.UserID + "|" + t.in.EventID}
	}
	serving, err = s.lists(ctx, look, s.serving, reqs, w.ready, products)
	if err != nil || s.shadow.current() == nil {
		return serving, nil, err
	}
	shadow, err = s.lists(ctx, look, s.shadow, reqs, w.ready, nil)
	return serving, shadow, err
}

func (s *Stage) lists(ctx context.Context, look *lookup, sl *slot, reqs []request, ts []trigger, extra []string) ([]schemas.Recommendation, error) {
	model := sl.current()
	out, err := s.build(ctx, model, reqs, look, extra)
	if err != nil {
		return nil, err
	}
	version := versionOf(model)
	recs := make([]schemas.Recommendation, len(out))
	for k, b := range out {
		recs[k] = record(ts[k], b, version)
	}
	return recs, nil
}

func versionOf(model Ranker) string {
	if model == nil {
		return "popularity"
	}
	return model.Version()
}

// decode decodes a batch, counting and skipping what does not decode.
func (s *Stage) decode(batch []kafka.Message) []trigger {
	out := make([]trigger, 0, len(batch))
	for _, m := range batch {
		in, err := s.codecs.DecodeInteraction(m.Value)
		if err != nil {
			s.metrics.events.WithLabelValues("undecodable").Inc()
			s.log.Error("undecodable interaction skipped", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "err", err)
			continue
		}
		s.metrics.events.WithLabelValues("scored").Inc()
		out = append(out, trigger{in, m})
	}
	return out
}

// coalesce keeps each user's latest event; folded calls once per event dropped.
func coalesce(events []trigger, folded func()) []trigger {
	index := map[string]int{}
	var out []trigger
	for _, t := range events {
		if k, ok := index[t.in.UserID]; ok {
			out[k] = t
			folded()
			continue
		}
		index[t.in.UserID] = len(out)
		out = append(out, t)
	}
	return out
}

func record(t trigger, b built, version string) schemas.Recommendation {
	trig := schemas.Trigger{EventID: t.in.EventID, Offset: schemas.Offset{Topic: t.msg.Topic, Partition: t.msg.Partition, Offset: t.msg.Offset}}
	// Deterministic: a redelivered trigger scored by the same model gets the same id.
	sum := sha256.Sum256([]byte(version + "|" + trig.Offset.String()))
	return schemas.Recommendation{
		UserID: t.in.UserID, RecommendationID: hex.EncodeToString(sum[:12]), Items: b.items,
		ModelVersion: version, Reason: b.reason, GeneratedAt: time.Now().UTC(), Trigger: trig,
	}
}

func exposuresOf(ts []trigger, serving, shadow []schemas.Recommendation) []features.Exposure {
	out := make([]features.Exposure, 0, len(serving)+len(shadow))
	for k, r := range serving {
		out = append(out, features.Exposure{Role: features.RoleServing, Rec: r, At: ts[k].in.Time})
	}
	for k, r := range shadow {
		out = append(out, features.Exposure{Role: features.RoleShadow, Rec: r, At: ts[k].in.Time})
	}
	return out
}

// encodeAll encodes recs for the output topic.
func (s *Stage) encodeAll(recs []schemas.Recommendation) ([][]byte, error) {
	values := make([][]byte, len(recs))
	for k, r := range recs {
		v, err := s.encode(r)
		if err != nil {
			return nil, err
		}
		values[k] = v
	}
	return values, nil
}

// produce writes recs (encoded as values); the first leading of them answer
// their event at once and are measured for event→recommendation latency.
func (s *Stage) produce(ctx context.Context, topic string, ts []trigger, recs []schemas.Recommendation, values [][]byte, leading int) error {
	msgs := make([]kafka.Message, len(recs))
	for k, r := range recs {
		msgs[k] = kafka.Message{Topic: topic, Key: []byte(r.UserID), Value: values[k], Headers: sourceHeader(ts[k].msg)}
	}
	start := time.Now()
	if err := s.cfg.Writer.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("producing recommendations to %s: %w", topic, err)
	}
	now := time.Now()
	s.metrics.produce.Observe(now.Sub(start).Seconds())
	for _, t := range ts[:leading] {
		if ms, ok := SourceTime(t.msg.Headers); ok {
			s.metrics.latency.Observe(now.Sub(ms).Seconds())
		}
	}
	if topic == s.cfg.OutputTopic {
		for _, r := range recs {
			s.metrics.lists.WithLabelValues(r.Reason).Inc()
		}
	}
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
