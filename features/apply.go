package features

import (
	"context"
	"fmt"
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

// applyScript applies one user's events of a batch. Every per-user effect is
// idempotent (ZADD of the same member and score), so the script only has to
// decide each event's outcome: HSETNX of the event id into the origin hash
// tells a first sight from a redelivery (same origin) or a duplicate (another
// origin). It is written for few Redis calls per event, the cost that
// dominates ingest: event ids are forgotten when their events leave the
// history, and trimming and TTL refreshes run only when a key has outgrown its
// cap by a slack or its TTL has run down by a sixteenth.
// KEYS: origin, hist, seen, bought.
// ARGV: history cap, history slack, seen cap, seen slack, ttl ms, then per
// event (event id, origin, ts ms, history member, gid, purchase flag).
// Returns per event "" when applied, else the origin that applied it first.
var applyScript = redis.NewScript(`
local out, ttl = {}, tonumber(ARGV[5])
for i = 6, #ARGV, 6 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    out[#out + 1] = ''
  else
    out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i])
  end
  if out[#out] == '' or out[#out] == ARGV[i + 1] then
    local ts = tonumber(ARGV[i + 2])
    redis.call('ZADD', KEYS[2], ts, ARGV[i + 3])
    redis.call('ZADD', KEYS[3], 'GT', ts, ARGV[i + 4])
    if ARGV[i + 5] == '1' then
      redis.call('ZADD', KEYS[4], 'GT', ts, ARGV[i + 4])
      if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
    end
  end
end
local cap = tonumber(ARGV[1])
local n = redis.call('ZCARD', KEYS[2])
if n > cap + tonumber(ARGV[2]) then
  local old = redis.call('ZRANGE', KEYS[2], 0, n - cap - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - cap - 1)
  for k, m in ipairs(old) do old[k] = string.match(m, '^[^%z]*%z[^%z]*%z(.*)$') or m end
  redis.call('HDEL', KEYS[1], unpack(old))
end
cap = tonumber(ARGV[3])
n = redis.call('ZCARD', KEYS[3])
if n > cap + tonumber(ARGV[4]) then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, n - cap - 1) end
if ttl > 0 and redis.call('PTTL', KEYS[1]) < ttl - ttl / 16 then
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return out
`)

// popularityScript adds forward-decayed weights for events of one source
// partition whose offset is above that partition's high-water mark.
// KEYS: scores, hwm, epoch. ARGV: partition id, half-life ms, then
// (offset, gid, weight, ts ms) quadruples in offset order.
var popularityScript = redis.NewScript(`
local hwm = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[6]
  redis.call('SET', KEYS[3], epoch)
end
epoch = tonumber(epoch)
local half = tonumber(ARGV[2])
local top = hwm
for i = 3, #ARGV, 4 do
  local off = tonumber(ARGV[i])
  if off > hwm then
    local inc = tonumber(ARGV[i + 2]) * math.pow(2, (tonumber(ARGV[i + 3]) - epoch) / half)
    redis.call('ZINCRBY', KEYS[1], inc, ARGV[i + 1])
    if off > top then top = off end
  end
end
redis.call('HSET', KEYS[2], ARGV[1], top)
return top
`)

func historyMember(i schemas.Interaction) string {
	return string(i.Type) + "\x00" + i.ProductGID + "\x00" + i.EventID
}

// Apply writes the per-user effects of interactions (history, seen, purchased,
// dedupe) and then popularity, in two pipelined round trips: one script call
// per user, one per source partition. It returns one Outcome per interaction.
// Interactions from one source partition must be passed in offset order. On
// error nothing is reported applied; calling Apply again with the same records
// is safe.
func (s *Store) Apply(ctx context.Context, batch []schemas.Interaction) ([]Outcome, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	users, order := groupByUser(batch)
	cmds := make([]*redis.Cmd, len(order))
	err := s.execScripts(ctx, func(pipe redis.Pipeliner) {
		for k, u := range order {
			cmds[k] = s.applyUser(ctx, pipe, u, batch, users[u])
		}
	})
	if err != nil {
		return nil, fmt.Errorf("applying user features: %w", err)
	}
	outcomes := make([]Outcome, len(batch))
	for k, cmd := range cmds {
		prevs, err := cmd.StringSlice()
		if err != nil || len(prevs) != len(users[order[k]]) {
			return nil, fmt.Errorf("applying user features: %d results for %d events: %w", len(prevs), len(users[order[k]]), err)
		}
		for j, idx := range users[order[k]] {
			outcomes[idx] = outcome(prevs[j], batch[idx].Source.String())
		}
	}
	if err := s.addPopularity(ctx, batch, outcomes); err != nil {
		return nil, err
	}
	return outcomes, nil
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

func (s *Store) applyUser(ctx context.Context, pipe redis.Pipeliner, user string, batch []schemas.Interaction, idx []int) *redis.Cmd {
	keys := []string{s.userKey(user, "origin"), s.userKey(user, "hist"), s.userKey(user, "seen"), s.userKey(user, "bought")}
	args := make([]any, 0, 5+6*len(idx))
	args = append(args, s.cfg.HistoryLen, slack(s.cfg.HistoryLen), s.cfg.SeenLen, slack(s.cfg.SeenLen),
		s.cfg.UserTTL.Milliseconds())
	for _, k := range idx {
		in := batch[k]
		purchase := "0"
		if in.Type == schemas.Purchase {
			purchase = "1"
		}
		args = append(args, in.EventID, in.Source.String(), in.Time.UnixMilli(), historyMember(in), in.ProductGID, purchase)
	}
	return applyScript.EvalSha(ctx, pipe, keys, args...)
}

// slack is how far a capped per-user key may outgrow its cap before the
// apply script trims it: trimming every eighth of the cap instead of on every
// event saves Redis calls, and readers ask for the length they need.
func slack(limit int) int { return max(1, limit/8) }

// addPopularity sends one script call per source partition, carrying every
// non-duplicate event; the partition high-water mark skips what was applied.
func (s *Store) addPopularity(ctx context.Context, batch []schemas.Interaction, outcomes []Outcome) error {
	args := map[string][]any{}
	var order []string
	for k, in := range batch {
		w := s.cfg.Weights[in.Type]
		if outcomes[k] == Duplicate || w <= 0 {
			continue
		}
		tp := in.Source.Topic + "/" + strconv.Itoa(in.Source.Partition)
		if _, ok := args[tp]; !ok {
			order = append(order, tp)
			args[tp] = []any{tp, s.cfg.PopularityHalfLife.Milliseconds()}
		}
		args[tp] = append(args[tp], in.Source.Offset, in.ProductGID, w, in.Time.UnixMilli())
	}
	if len(order) == 0 {
		return nil
	}
	keys := []string{s.popKey("scores"), s.popKey("hwm"), s.popKey("epoch")}
	err := s.execScripts(ctx, func(pipe redis.Pipeliner) {
		for _, tp := range order {
			popularityScript.EvalSha(ctx, pipe, keys, args[tp]...)
		}
	})
	if err != nil {
		return fmt.Errorf("adding popularity: %w", err)
	}
	return nil
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
