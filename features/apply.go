package features

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// Outcome says what Apply did with one interaction.
type Outcome int

const (
	// Applied: first time this event id was seen; its effects are now in Redis.
	Applied Outcome = iota
	// Replayed: the same source record applied it before (a redelivery after a
	// crash); effects are already present and the caller should still forward it.
	Replayed
	// Duplicate: another record with the same event id applied it; drop it.
	Duplicate
)

func (o Outcome) String() string {
	return [...]string{"applied", "replayed", "duplicate"}[o]
}

// applyScript applies the events of a batch of some users, one user after
// another. Every per-user effect is idempotent (ZADD of the same member and
// score), so the script only has to decide each event's outcome: HSETNX of
// the event id into the origin hash tells a first sight from a redelivery
// (same origin) or a duplicate (another origin). It is written for few Redis
// calls per event, the cost that dominates ingest: event ids are forgotten
// when their events leave the history, trimming and TTL refreshes run only
// when a key has outgrown its cap by a slack or its TTL has run down by a
// sixteenth, and one call takes many users (see Store.usersPerScript). The
// seen set grows by at most one product per history entry, so its size is
// read only when the history is trimmed or longer than the seen cap: it
// stays within its cap plus both slacks. Times and TTLs go to Redis as the
// strings they came as: a Lua number passed to redis.call is formatted
// with sprintf, which cost more than the ZADD it fed.
// KEYS: per user origin, hist, seen, bought.
// ARGV: history cap, history slack, seen cap, seen slack, ttl ms, then per
// user its event count and per event (event id, origin, ts ms, history
// member, gid, purchase flag).
// Returns per event, in order, "" when applied, else the origin that applied
// it first.
var applyScript = redis.NewScript(`
local out, ttl = {}, tonumber(ARGV[5])
local hcap, hslack, scap, sslack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local a, u = 6, 0
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  local origin, hist, seen, bought = KEYS[u + 1], KEYS[u + 2], KEYS[u + 3], KEYS[u + 4]
  a, u = a + 1, u + 4
  for i = a, a + 6 * (n - 1), 6 do
    if redis.call('HSETNX', origin, ARGV[i], ARGV[i + 1]) == 1 then
      out[#out + 1] = ''
    else
      out[#out + 1] = redis.call('HGET', origin, ARGV[i])
    end
    if out[#out] == '' or out[#out] == ARGV[i + 1] then
      local ts = ARGV[i + 2]
      redis.call('ZADD', hist, ts, ARGV[i + 3])
      redis.call('ZADD', seen, 'GT', ts, ARGV[i + 4])
      if ARGV[i + 5] == '1' then
        redis.call('ZADD', bought, 'GT', ts, ARGV[i + 4])
        if ttl > 0 then redis.call('PEXPIRE', bought, ARGV[5]) end
      end
    end
  end
  a = a + 6 * n
  local c = redis.call('ZCARD', hist)
  if c > hcap + hslack then
    local old = redis.call('ZRANGE', hist, 0, c - hcap - 1)
    redis.call('ZREMRANGEBYRANK', hist, 0, c - hcap - 1)
    for k, m in ipairs(old) do old[k] = string.match(m, '^[^%z]*%z[^%z]*%z(.*)$') or m end
    redis.call('HDEL', origin, unpack(old))
  end
  if c > hcap + hslack or c > scap then
    c = redis.call('ZCARD', seen)
    if c > scap + sslack then redis.call('ZREMRANGEBYRANK', seen, 0, c - scap - 1) end
  end
  if ttl > 0 and redis.call('PTTL', origin) < ttl - ttl / 16 then
    for k = u - 3, u do redis.call('PEXPIRE', KEYS[k], ARGV[5]) end
  end
end
return out
`)

// popularityScript adds the forward-decayed weights of one source
// partition's events, offsets first..last, aggregated per product, unless
// the partition's high-water mark says they were added before. It returns
// "ok", "done" when every offset was added before, or the high-water mark
// when some were: the caller then sends the events above it alone.
// Increments come relative to the reference time ref, rescaled here to the
// forward-decay epoch (set to ref on first use).
// KEYS: scores, hwm, epoch. ARGV: partition, first, last, half-life ms, ref
// ms, then (gid, increment) pairs.
var popularityScript = redis.NewScript(`
local hwm = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if tonumber(ARGV[3]) <= hwm then return 'done' end
if tonumber(ARGV[2]) <= hwm then return tostring(hwm) end
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[3], epoch)
end
local scale = math.pow(2, (tonumber(ARGV[5]) - tonumber(epoch)) / tonumber(ARGV[4]))
for i = 6, #ARGV, 2 do
  redis.call('ZINCRBY', KEYS[1], tonumber(ARGV[i + 1]) * scale, ARGV[i])
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 'ok'
`)

func historyMember(i schemas.Interaction) string {
	return string(i.Type) + "\x00" + i.ProductGID + "\x00" + i.EventID
}

// Apply writes the per-user effects of interactions (ApplyUsers) and then
// popularity (AddPopularity), in two pipelined round trips. It returns one
// Outcome per interaction. Interactions from one source partition must be
// passed in offset order. On error nothing is reported applied; calling
// Apply again with the same records is safe.
func (s *Store) Apply(ctx context.Context, batch []schemas.Interaction) ([]Outcome, error) {
	outcomes, err := s.ApplyUsers(ctx, batch)
	if err != nil {
		return nil, err
	}
	if err := s.AddPopularity(ctx, batch, outcomes); err != nil {
		return nil, err
	}
	return outcomes, nil
}

// ApplyUsers writes the per-user effects of interactions (history, seen,
// purchased, dedupe) in one pipelined round trip of one script call per
// usersPerScript users, and returns one Outcome per interaction. Popularity
// is left to AddPopularity, which a caller may run alongside its next step.
// Calling it again with the same records is safe.
func (s *Store) ApplyUsers(ctx context.Context, batch []schemas.Interaction) ([]Outcome, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	users, order := groupByUser(batch)
	var chunks [][]string
	for start := 0; start < len(order); start += s.usersPerScript {
		chunks = append(chunks, order[start:min(len(order), start+s.usersPerScript)])
	}
	cmds := make([]*redis.Cmd, len(chunks))
	err := s.execScripts(ctx, func(pipe redis.Pipeliner) {
		for k, chunk := range chunks {
			cmds[k] = s.applyUsers(ctx, pipe, chunk, batch, users)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("applying user features: %w", err)
	}
	outcomes := make([]Outcome, len(batch))
	for k, cmd := range cmds {
		if err := readOutcomes(cmd, chunks[k], users, batch, outcomes); err != nil {
			return nil, fmt.Errorf("applying user features: %w", err)
		}
	}
	return outcomes, nil
}

// readOutcomes sets the outcomes of the events of users from the reply of
// their script call.
func readOutcomes(cmd *redis.Cmd, users []string, events map[string][]int, batch []schemas.Interaction, outcomes []Outcome) error {
	prevs, err := cmd.StringSlice()
	if err != nil {
		return err
	}
	j := 0
	for _, u := range users {
		for _, idx := range events[u] {
			if j == len(prevs) {
				return fmt.Errorf("%d results for more events", len(prevs))
			}
			outcomes[idx] = outcome(prevs[j], batch[idx].Source.String())
			j++
		}
	}
	if j != len(prevs) {
		return fmt.Errorf("%d results for %d events", len(prevs), j)
	}
	return nil
}

// groupByUser indexes the batch by user, keeping each user's events in order.
func groupByUser(batch []schemas.Interaction) (map[string][]int, []string) {
	users := map[string][]int{}
	var order []string
	for k, in := range batch {
		if _, ok := users[in.UserID]; !ok {
			order = append(order, in.UserID)
		}
		users[in.UserID] = append(users[in.UserID], k)
	}
	return users, order
}

func outcome(prev, origin string) Outcome {
	switch prev {
	case "":
		return Applied
	case origin:
		return Replayed
	}
	return Duplicate
}

// applyUsers queues one applyScript call for the events of users.
func (s *Store) applyUsers(ctx context.Context, pipe redis.Pipeliner, users []string, batch []schemas.Interaction, events map[string][]int) *redis.Cmd {
	keys := make([]string, 0, 4*len(users))
	args := make([]any, 0, 5+7*len(users))
	args = append(args, s.cfg.HistoryLen, slack(s.cfg.HistoryLen), s.cfg.SeenLen, slack(s.cfg.SeenLen),
		s.cfg.UserTTL.Milliseconds())
	for _, u := range users {
		keys = append(keys, s.userKey(u, "origin"), s.userKey(u, "hist"), s.userKey(u, "seen"), s.userKey(u, "bought"))
		args = append(args, len(events[u]))
		for _, k := range events[u] {
			in := batch[k]
			purchase := "0"
			if in.Type == schemas.Purchase {
				purchase = "1"
			}
			args = append(args, in.EventID, in.Source.String(), in.Time.UnixMilli(), historyMember(in), in.ProductGID, purchase)
		}
	}
	return applyScript.EvalSha(ctx, pipe, keys, args...)
}

// slack is how far a capped per-user key may outgrow its cap before the
// apply script trims it: trimming every eighth of the cap instead of on every
// event saves Redis calls, and readers ask for the length they need.
func slack(limit int) int { return max(1, limit/8) }

// popEvent is one event's part in popularity.
type popEvent struct {
	offset, ts int64
	gid        string
	weight     float64
}

// AddPopularity adds the events of batch that ApplyUsers did not call
// Duplicate (outcomes) to popularity: one script call per source partition,
// whose high-water mark skips what was added before, so calling it again
// with the same records is safe. A partition some of whose events were added
// before (a redelivered batch overlapping an added one) is sent again with
// only the events above it.
func (s *Store) AddPopularity(ctx context.Context, batch []schemas.Interaction, outcomes []Outcome) error {
	parts := map[string][]popEvent{}
	for k, in := range batch {
		if w := s.cfg.Weights[in.Type]; outcomes[k] != Duplicate && w > 0 {
			tp := in.Source.Topic + "/" + strconv.Itoa(in.Source.Partition)
			parts[tp] = append(parts[tp], popEvent{in.Source.Offset, in.Time.UnixMilli(), in.ProductGID, w})
		}
	}
	for attempt := 0; len(parts) > 0; attempt++ {
		if attempt == 3 {
			return errors.New("adding popularity: the high-water marks kept moving")
		}
		rest, err := s.sendPopularity(ctx, parts)
		if err != nil {
			return fmt.Errorf("adding popularity: %w", err)
		}
		parts = rest
	}
	return nil
}

// sendPopularity runs one popularityScript call per partition and returns,
// per partition answered with a high-water mark, the events above it.
func (s *Store) sendPopularity(ctx context.Context, parts map[string][]popEvent) (map[string][]popEvent, error) {
	keys := []string{s.popKey("scores"), s.popKey("hwm"), s.popKey("epoch")}
	cmds := map[string]*redis.Cmd{}
	err := s.execScripts(ctx, func(pipe redis.Pipeliner) {
		for tp, events := range parts {
			cmds[tp] = popularityScript.EvalSha(ctx, pipe, keys, s.popularityArgs(tp, events)...)
		}
	})
	if err != nil {
		return nil, err
	}
	rest := map[string][]popEvent{}
	for tp, cmd := range cmds {
		reply, _ := cmd.Text()
		if reply == "ok" || reply == "done" {
			continue
		}
		hwm, err := strconv.ParseInt(reply, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("unexpected reply %q", reply)
		}
		events := parts[tp]
		k := sort.Search(len(events), func(k int) bool { return events[k].offset > hwm })
		if k < len(events) {
			rest[tp] = events[k:]
		}
	}
	return rest, nil
}

// popularityArgs aggregates a partition's events (in offset order) per
// product, relative to the first event's time.
func (s *Store) popularityArgs(tp string, events []popEvent) []any {
	ref, half := events[0].ts, float64(s.cfg.PopularityHalfLife.Milliseconds())
	sums := map[string]float64{}
	var order []string
	for _, e := range events {
		if _, ok := sums[e.gid]; !ok {
			order = append(order, e.gid)
		}
		sums[e.gid] += e.weight * math.Exp2(float64(e.ts-ref)/half)
	}
	args := make([]any, 0, 5+2*len(order))
	args = append(args, tp, events[0].offset, events[len(events)-1].offset, int64(half), ref)
	for _, gid := range order {
		args = append(args, gid, strconv.FormatFloat(sums[gid], 'g', -1, 64))
	}
	return args
}

// execScripts runs a pipeline of EVALSHA calls, loading the scripts and
// retrying once if Redis does not know them (first use, restart, SCRIPT
// FLUSH). Retrying is safe because every script is idempotent.
func (s *Store) execScripts(ctx context.Context, build func(redis.Pipeliner)) error {
	for attempt := 0; ; attempt++ {
		pipe := s.rdb.Pipeline()
		build(pipe)
		_, err := pipe.Exec(ctx)
		if err == nil || attempt > 0 || !redis.HasErrorPrefix(err, "NOSCRIPT") {
			return err
		}
		for _, sc := range []*redis.Script{applyScript, popularityScript} {
			if err := sc.Load(ctx, s.rdb).Err(); err != nil {
				return fmt.Errorf("loading script: %w", err)
			}
		}
	}
}
