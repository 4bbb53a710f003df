package features

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// TallyEvent is one interaction counted into the stream aggregates the scorer
// keeps: per-category trending, per-product interaction counts (what
// exploration calls "few interactions") and attributed conversions.
type TallyEvent struct {
	// Offset of the interaction on its interaction-log partition.
	Offset   int64
	Product  string
	Category string // "" = uncategorized: counted, in no category's trending
	Type     schemas.EventType
	Time     time.Time
	// Attributed lists the lists that recommended Product to this user within
	// the attribution window; each gains one Type event.
	Attributed []ListKey
}

// ListKey names the lists of one model version in one role.
type ListKey struct {
	Role    string // RoleServing or RoleShadow
	Version string
}

// Roles of a list: served to the shopper, or scored by a shadow model and
// only emitted for comparison.
const (
	RoleServing = "serving"
	RoleShadow  = "shadow"
)

// tallyScript adds the aggregated events of one interaction-log partition,
// offsets first..last, unless that partition's high-water mark says they
// were added before, so a redelivered batch counts nothing twice. It returns
// {"ok", attributed fields…}, {"done"} when every offset was added before,
// or {"partial", hwm} when some were: the caller then sends the events above
// hwm alone. Trending increments come relative to the reference time ref,
// rescaled here to the forward-decay epoch (set to ref on first use).
// KEYS: hwm, epoch, counts, attributed, then one trending key per category.
// ARGV: partition, first, last, half-life ms, ref ms, then the number of
// counts and (gid, n) pairs, the number of trends and (category key index,
// gid, increment) triples, then (attributed field, n) pairs.
var tallyScript = redis.NewScript(`
local hwm = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[3]) <= hwm then return {'done'} end
if tonumber(ARGV[2]) <= hwm then return {'partial', tostring(hwm)} end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[2], epoch)
end
local scale = math.pow(2, (tonumber(ARGV[5]) - tonumber(epoch)) / tonumber(ARGV[4]))
local i = 7
for _ = 1, tonumber(ARGV[6]) do
  redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
local nt = tonumber(ARGV[i])
i = i + 1
for _ = 1, nt do
  redis.call('ZINCRBY', KEYS[4 + tonumber(ARGV[i])], tonumber(ARGV[i + 2]) * scale, ARGV[i + 1])
  i = i + 3
end
local out = {'ok'}
while i <= #ARGV do
  redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1])
  for _ = 1, tonumber(ARGV[i + 1]) do out[#out + 1] = ARGV[i] end
  i = i + 2
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return out
`)

func (s *Store) tallyKey(kind string) string { return s.cfg.Prefix + ":{tally}:" + kind }

func attributedField(k ListKey, what string) string { return k.Role + "|" + k.Version + "|" + what }

// Tally counts the events of each interaction-log partition ("topic/partition"
// → events in offset order) and adds lists to the per-version list counts. It
// returns the attributions newly counted: events at or below their
// partition's high-water mark were counted before and add nothing. Lists are
// counted as given; RecordExposures reports which lists are new.
func (s *Store) Tally(ctx context.Context, partitions map[string][]TallyEvent, lists map[ListKey]int) ([]Attributed, error) {
	r, err := s.Record(ctx, Effects{Partitions: partitions, Lists: lists})
	return r.Attributed, err
}

// tallyCall is one queued tallyScript call and what it was given.
type tallyCall struct {
	partition string
	events    []TallyEvent
	cmd       *redis.Cmd
}

// queueTally adds one tallyScript call per partition and the list counts to pipe.
func (s *Store) queueTally(ctx context.Context, pipe redis.Pipeliner, partitions map[string][]TallyEvent, lists map[ListKey]int) []tallyCall {
	var calls []tallyCall
	for tp, events := range partitions {
		if len(events) > 0 {
			calls = append(calls, tallyCall{tp, events, s.tallyOne(ctx, pipe, tp, events)})
		}
	}
	for k, n := range lists {
		if n > 0 {
			pipe.HIncrBy(ctx, s.tallyKey("attributed"), attributedField(k, "lists"), int64(n))
		}
	}
	return calls
}

// tallyOne aggregates the events of one partition (in offset order) and
// queues their tallyScript call.
func (s *Store) tallyOne(ctx context.Context, pipe redis.Pipeliner, tp string, events []TallyEvent) *redis.Cmd {
	keys := []string{s.tallyKey("hwm"), s.tallyKey("epoch"), s.tallyKey("count"), s.tallyKey("attributed")}
	ref := events[0].Time.UnixMilli()
	half := float64(s.cfg.PopularityHalfLife.Milliseconds())
	type trendKey struct {
		cat int
		gid string
	}
	counts, trend, fields := map[string]int{}, map[trendKey]float64{}, map[string]int{}
	var countOrder []string
	var trendOrder []trendKey
	catIndex := map[string]int{}
	for _, e := range events {
		if counts[e.Product] == 0 {
			countOrder = append(countOrder, e.Product)
		}
		counts[e.Product]++
		if w := s.cfg.Weights[e.Type]; e.Category != "" && w > 0 {
			if catIndex[e.Category] == 0 {
				keys = append(keys, s.trendKey(e.Category))
				catIndex[e.Category] = len(keys) - 4
			}
			k := trendKey{catIndex[e.Category], e.Product}
			if _, ok := trend[k]; !ok {
				trendOrder = append(trendOrder, k)
			}
			trend[k] += w * math.Exp2(float64(e.Time.UnixMilli()-ref)/half)
		}
		for _, a := range e.Attributed {
			fields[attributedField(a, string(e.Type))]++
		}
	}
	args := make([]any, 0, 8+2*len(counts)+3*len(trend)+2*len(fields))
	args = append(args, tp, events[0].Offset, events[len(events)-1].Offset, half, ref, len(countOrder))
	for _, gid := range countOrder {
		args = append(args, gid, counts[gid])
	}
	args = append(args, len(trendOrder))
	for _, k := range trendOrder {
		args = append(args, k.cat, k.gid, strconv.FormatFloat(trend[k], 'g', -1, 64))
	}
	for f, n := range fields {
		args = append(args, f, n)
	}
	return tallyScript.EvalSha(ctx, pipe, keys, args...)
}

// result reads a tallyCall's reply: the attributions counted, or the
// high-water mark when only the events above it remain to be counted.
func (c tallyCall) result() (attributed []Attributed, partial bool, hwm int64) {
	reply, _ := c.cmd.StringSlice()
	if len(reply) == 0 {
		return nil, false, 0
	}
	switch reply[0] {
	case "partial":
		hwm, _ = strconv.ParseInt(reply[1], 10, 64)
		return nil, true, hwm
	case "ok":
		for _, f := range reply[1:] {
			if a, ok := parseAttributed(f); ok {
				attributed = append(attributed, a)
			}
		}
	}
	return attributed, false, 0
}
