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

// applyScript applies one user's events of a batch, each once per event id,
// then trims and expires the user's keys once.
// KEYS: origin, dedupe, hist, seen, bought.
// ARGV: history cap, dedupe window ms, dedupe cap, seen cap, ttl ms, then per
// event (event id, origin, ts ms, history member, gid, purchase flag).
// Returns per event "" when applied, else the origin that applied it first.
var applyScript = redis.NewScript(`
local out, newest = {}, nil
for i = 6, #ARGV, 6 do
  local prev = redis.call('HGET', KEYS[1], ARGV[i])
  if prev then
    out[#out + 1] = prev
  else
    local ts = tonumber(ARGV[i + 2])
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[2], ts, ARGV[i])
    redis.call('ZADD', KEYS[3], ts, ARGV[i + 3])
    redis.call('ZADD', KEYS[4], 'GT', ts, ARGV[i + 4])
    if ARGV[i + 5] == '1' then redis.call('ZADD', KEYS[5], 'GT', ts, ARGV[i + 4]) end
    if not newest or ts > newest then newest = ts end
    out[#out + 1] = ''
  end
end
if not newest then return out end
local function forget(ids)
  if #ids > 0 then
    redis.call('ZREM', KEYS[2], unpack(ids))
    redis.call('HDEL', KEYS[1], unpack(ids))
  end
end
forget(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (newest - tonumber(ARGV[2])), 'LIMIT', 0, 1000))
local n, cap = redis.call('ZCARD', KEYS[2]), tonumber(ARGV[3])
if n > cap then forget(redis.call('ZRANGE', KEYS[2], 0, n - cap - 1)) end
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[1]) + 1))
redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -(tonumber(ARGV[4]) + 1))
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end
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
	keys := []string{
		s.userKey(user, "origin"), s.userKey(user, "dedupe"), s.userKey(user, "hist"),
		s.userKey(user, "seen"), s.userKey(user, "bought"),
	}
	args := make([]any, 0, 5+6*len(idx))
	args = append(args, s.cfg.HistoryLen, s.cfg.DedupeWindow.Milliseconds(), s.cfg.DedupeLen, s.cfg.SeenLen,
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
