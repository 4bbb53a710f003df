package features

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Identity: when one event names both an anonymous id (a Snowplow duid, a
// Shopify clientId) and a logged-in user id (uid, customer id), the
// anonymous id is an alias of the user, and what the shopper did before
// logging in belongs to the user too.
//
// The rule:
//   - Events are keyed by the user id when they carry one, else by the
//     anonymous id; ingest never rewrites a key. An anonymous id's own keys
//     stay, so the device keeps its recommendations after a logout.
//   - Link(anon → user) copies anon's history, seen and purchased sets into
//     user's (a union: same members, the later time wins), trims them to the
//     configured caps, refreshes their TTL, and records the alias. It copies
//     again whenever anon's state changed since the last copy, so anonymous
//     events after a logout reach the user at the next event that names both.
//   - An anonymous id seen with a second user (a shared device) is linked to
//     the latest; its history is copied to each.
//   - Dedupe ids and popularity are not copied: popularity already counted
//     the anonymous events, and their ids stay deduplicated under anon.
//
// Keys (anon's in anon's hash slot, user's in user's):
//
//	<p>:{u:<anon>}:alias   HASH  to -> user id, fp -> fingerprint of anon's state at the last copy
//	<p>:{u:<user>}:merged  SET   anonymous ids merged into user
//
// Cluster safety and idempotency: anon's and user's keys live in different
// hash slots, so a link is three single-slot steps, never a cross-slot
// transaction: (1) a script on anon's slot returns its state and
// fingerprint, or nothing if the alias already holds that fingerprint;
// (2) a script on user's slot adds that state (ZADD of the same members
// with their times, GT for the latest-time sets: re-running it changes
// nothing); (3) anon's alias is set to (user, the fingerprint of what was
// copied). A crash between steps leaves the alias stale, so the next Link
// repeats (1)–(3); a state that changed during the link keeps a stale
// fingerprint and is copied again next time. Nothing is ever removed from
// a user by a link.

// Alias says that Anonymous and User are one shopper.
type Alias struct {
	Anonymous string `json:"anonymous"`
	User      string `json:"user"`
}

// snapshotScript returns anon's history, seen and purchased sets with the
// fingerprint of that state, or an empty reply when the alias already
// points at ARGV[1] with that fingerprint.
// KEYS: hist, seen, bought, alias (anon's). ARGV: user.
var snapshotScript = redis.NewScript(`
local hist = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local fp = redis.sha1hex(table.concat(hist, '\n')) .. ':' .. redis.call('ZCARD', KEYS[2]) .. ':' .. redis.call('ZCARD', KEYS[3])
local prev = redis.call('HMGET', KEYS[4], 'to', 'fp')
if prev[1] == ARGV[1] and prev[2] == fp then return {} end
return {fp, hist, redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES'), redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')}
`)

// mergeScript adds an anonymous state to a user's keys, idempotently.
// KEYS: hist, seen, bought, merged (user's). ARGV: history cap, seen cap,
// ttl ms, anon, #hist pairs, #seen pairs, #bought pairs, then the
// (member, score) pairs of each.
var mergeScript = redis.NewScript(`
local i = 8
local function add(key, n, gt)
  for _ = 1, n do
    if gt then redis.call('ZADD', key, 'GT', ARGV[i + 1], ARGV[i])
    else redis.call('ZADD', key, ARGV[i + 1], ARGV[i]) end
    i = i + 2
  end
end
add(KEYS[1], tonumber(ARGV[5]), false)
add(KEYS[2], tonumber(ARGV[6]), true)
add(KEYS[3], tonumber(ARGV[7]), true)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[1]) + 1))
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
redis.call('SADD', KEYS[4], ARGV[4])
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  for k = 1, 4 do redis.call('PEXPIRE', KEYS[k], ttl) end
end
return 1
`)

// Link records each alias and merges the anonymous id's history into the
// user's (see the rule above). Pairs with an empty id or two equal ids are
// skipped; for one anonymous id the last pair wins. It costs one pipelined
// round trip when nothing changed, three otherwise, and is safe to retry.
func (s *Store) Link(ctx context.Context, aliases []Alias) error {
	aliases = lastPerAnonymous(aliases)
	if len(aliases) == 0 {
		return nil
	}
	snaps, err := s.snapshots(ctx, aliases)
	if err != nil {
		return err
	}
	pipe := s.rdb.Pipeline()
	for k, a := range aliases {
		if snaps[k] != nil {
			s.merge(ctx, pipe, a, snaps[k])
		}
	}
	if pipe.Len() > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("merging identities: %w", err)
		}
	}
	for k, a := range aliases {
		if snaps[k] != nil {
			pipe.HSet(ctx, s.userKey(a.Anonymous, "alias"), "to", a.User, "fp", snaps[k].fp)
			if ttl := s.cfg.UserTTL; ttl > 0 {
				pipe.PExpire(ctx, s.userKey(a.Anonymous, "alias"), ttl)
			}
		}
	}
	if pipe.Len() > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("recording identities: %w", err)
		}
	}
	return nil
}

// AliasOf returns the user an anonymous id was last linked to, or "".
func (s *Store) AliasOf(ctx context.Context, anonymous string) (string, error) {
	user, err := s.rdb.HGet(ctx, s.userKey(anonymous, "alias"), "to").Result()
	if err == redis.Nil {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading alias: %w", err)
	}
	return user, nil
}

// snapshot is an anonymous id's state to copy.
type snapshot struct {
	fp                 string
	hist, seen, bought []any // member, score, member, score, …
}

// snapshots reads the state of each alias' anonymous id; nil where the
// alias is already up to date.
func (s *Store) snapshots(ctx context.Context, aliases []Alias) ([]*snapshot, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(aliases))
	for k, a := range aliases {
		keys := []string{s.userKey(a.Anonymous, "hist"), s.userKey(a.Anonymous, "seen"),
			s.userKey(a.Anonymous, "bought"), s.userKey(a.Anonymous, "alias")}
		cmds[k] = snapshotScript.Eval(ctx, pipe, keys, a.User)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("reading anonymous histories: %w", err)
	}
	out := make([]*snapshot, len(aliases))
	for k, cmd := range cmds {
		reply, err := cmd.Slice()
		if err != nil {
			return nil, fmt.Errorf("reading anonymous histories: %w", err)
		}
		if len(reply) == 0 {
			continue
		}
		if out[k], err = parseSnapshot(reply); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseSnapshot(reply []any) (*snapshot, error) {
	fp, ok := reply[0].(string)
	if len(reply) != 4 || !ok {
		return nil, fmt.Errorf("reading anonymous histories: unexpected reply of %d parts", len(reply))
	}
	snap := &snapshot{fp: fp}
	for k, dst := range []*[]any{&snap.hist, &snap.seen, &snap.bought} {
		pairs, ok := reply[k+1].([]any)
		if !ok || len(pairs)%2 != 0 {
			return nil, fmt.Errorf("reading anonymous histories: unexpected reply")
		}
		*dst = pairs
	}
	return snap, nil
}

// merge queues the copy of snap into a.User's keys.
func (s *Store) merge(ctx context.Context, pipe redis.Pipeliner, a Alias, snap *snapshot) {
	keys := []string{s.userKey(a.User, "hist"), s.userKey(a.User, "seen"),
		s.userKey(a.User, "bought"), s.userKey(a.User, "merged")}
	args := make([]any, 0, 7+len(snap.hist)+len(snap.seen)+len(snap.bought))
	args = append(args, s.cfg.HistoryLen, s.cfg.SeenLen, s.cfg.UserTTL.Milliseconds(), a.Anonymous,
		strconv.Itoa(len(snap.hist)/2), strconv.Itoa(len(snap.seen)/2), strconv.Itoa(len(snap.bought)/2))
	args = append(args, snap.hist...)
	args = append(args, snap.seen...)
	args = append(args, snap.bought...)
	mergeScript.Eval(ctx, pipe, keys, args...)
}

// lastPerAnonymous drops unusable pairs and keeps the last pair of each
// anonymous id, in first-seen order.
func lastPerAnonymous(aliases []Alias) []Alias {
	at := map[string]int{}
	var out []Alias
	for _, a := range aliases {
		if a.Anonymous == "" || a.User == "" || a.Anonymous == a.User {
			continue
		}
		if k, ok := at[a.Anonymous]; ok {
			out[k] = a
			continue
		}
		at[a.Anonymous] = len(out)
		out = append(out, a)
	}
	return out
}
