package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// Exposure is one list as recorded for attribution: a served list (also
// cached as the user's latest) or a shadow model's list.
type Exposure struct {
	Role string // RoleServing or RoleShadow
	Rec  schemas.Recommendation
	// JSON is Rec encoded as JSON for the cache, when the caller has it. Optional.
	JSON []byte
	// At is the event time of the trigger; attribution windows run in event time.
	At time.Time
}

// Exposed is a product found in a user's recorded lists.
type Exposed struct {
	ListKey
	At      time.Time
	Trigger schemas.Offset
}

// Attributed is one conversion counted for the lists of a model version.
type Attributed struct {
	ListKey
	Type schemas.EventType
}

// AttributionCount is what the lists of one model version in one role led to.
type AttributionCount struct {
	Lists  int64
	Events map[schemas.EventType]int64
}

// exposeScript records the items of one list in a user's exposure hash,
// unless a list triggered at or after the same interaction-log offset was
// recorded before (a redelivery or a replay by another group): it keeps a
// high-water mark of trigger offsets per partition in the hash, and returns
// 1 for a new list, 0 otherwise. A new served list also becomes the user's
// cached list, so a replay never caches an older one. The hash expires a
// window after the last list; one that outgrows the cap starts over (a
// shopper shown that many products within the window loses the older ones).
// KEYS: exposure hash, and for a served list the cache key. ARGV: partition,
// trigger offset, cap, ttl ms, list JSON, cache ttl ms, then (gid,
// "version|ms|partition|offset") pairs.
var exposeScript = redis.NewScript(`
local mark = '#' .. ARGV[1]
local hwm = tonumber(redis.call('HGET', KEYS[1], mark) or '-1')
if tonumber(ARGV[2]) <= hwm then return 0 end
if redis.call('HLEN', KEYS[1]) > tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], mark, ARGV[2], unpack(ARGV, 7))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6]) end
return 1
`)

// exposureCap bounds the products remembered per user and role.
const exposureCap = 1000

// RecordExposures caches each served list as the user's latest and records
// every list's items for attribution within window, in one round trip. It
// reports per exposure whether the list is new (not a redelivery or a
// replay), so that list counts are not inflated. A user's lists must be
// recorded in the order of their triggers' offsets.
func (s *Store) RecordExposures(ctx context.Context, exps []Exposure, window time.Duration) ([]bool, error) {
	r, err := s.Record(ctx, Effects{Exposures: exps, Window: window})
	return r.Fresh, err
}

// queueExposures adds one exposeScript call per exposure to pipe.
func (s *Store) queueExposures(ctx context.Context, pipe redis.Pipeliner, exps []Exposure, window time.Duration) ([]*redis.Cmd, error) {
	cmds := make([]*redis.Cmd, len(exps))
	for k, e := range exps {
		keys := []string{s.userKey(e.Rec.UserID, "exposed:"+e.Role)}
		var list []byte
		if e.Role == RoleServing {
			list = e.JSON
			if list == nil {
				b, err := json.Marshal(e.Rec)
				if err != nil {
					return nil, fmt.Errorf("encoding recommendation: %w", err)
				}
				list = b
			}
			keys = append(keys, s.userKey(e.Rec.UserID, "recs"))
		}
		ms := e.At.UnixMilli()
		trig := e.Rec.Trigger.Offset
		args := make([]any, 0, 6+2*len(e.Rec.Items))
		args = append(args, trig.Partition, trig.Offset, exposureCap, max(window.Milliseconds(), 1),
			list, max(s.cfg.RecommendationTTL.Milliseconds(), 1))
		val := e.Rec.ModelVersion + "|" + strconv.FormatInt(ms, 10) + "|" + strconv.Itoa(trig.Partition) + "|" + strconv.FormatInt(trig.Offset, 10)
		for _, it := range e.Rec.Items {
			args = append(args, it.ProductGID, val)
		}
		cmds[k] = exposeScript.EvalSha(ctx, pipe, keys, args...)
	}
	return cmds, nil
}

// UserProduct names one product of one user.
type UserProduct struct{ User, Product string }

// Exposures returns, for each lookup, the lists (one per role at most) that
// last recommended the product to the user, in one round trip of one HMGET
// per user and role. Lookups with an empty user are skipped.
func (s *Store) Exposures(ctx context.Context, lookups []UserProduct) ([][]Exposed, error) {
	_, out, err := s.UsersAndExposures(ctx, nil, 0, lookups)
	return out, err
}

// UsersAndExposures is Users and Exposures in one round trip.
func (s *Store) UsersAndExposures(ctx context.Context, ids []string, n int, lookups []UserProduct) ([]User, [][]Exposed, error) {
	pipe := s.rdb.Pipeline()
	users := s.queueUsers(ctx, pipe, ids, n)
	exposed := s.queueExposed(ctx, pipe, lookups)
	if pipe.Len() > 0 {
		if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
			return nil, nil, fmt.Errorf("reading users and exposures: %w", err)
		}
	}
	return users.result(), exposed.result(), nil
}

// exposedRead is the queued commands of Exposures.
type exposedRead struct {
	n      int // lookups
	users  []string
	byUser map[string][]int // user → indexes of their lookups
	cmds   []*redis.SliceCmd
}

var exposureRoles = []string{RoleServing, RoleShadow}

// queueExposed adds the commands of Exposures to pipe.
func (s *Store) queueExposed(ctx context.Context, pipe redis.Pipeliner, lookups []UserProduct) exposedRead {
	q := exposedRead{n: len(lookups), byUser: map[string][]int{}}
	for k, l := range lookups {
		if l.User == "" {
			continue
		}
		if _, ok := q.byUser[l.User]; !ok {
			q.users = append(q.users, l.User)
		}
		q.byUser[l.User] = append(q.byUser[l.User], k)
	}
	q.cmds = make([]*redis.SliceCmd, 0, len(exposureRoles)*len(q.users))
	for _, u := range q.users {
		fields := make([]string, len(q.byUser[u]))
		for j, k := range q.byUser[u] {
			fields[j] = lookups[k].Product
		}
		for _, r := range exposureRoles {
			q.cmds = append(q.cmds, pipe.HMGet(ctx, s.userKey(u, "exposed:"+r), fields...))
		}
	}
	return q
}

// result reads the exposures from the executed commands.
func (q exposedRead) result() [][]Exposed {
	out := make([][]Exposed, q.n)
	for i, u := range q.users {
		for j, r := range exposureRoles {
			for f, v := range q.cmds[i*len(exposureRoles)+j].Val() {
				str, _ := v.(string)
				if e, ok := parseExposed(r, str); ok {
					k := q.byUser[u][f]
					out[k] = append(out[k], e)
				}
			}
		}
	}
	return out
}

func parseExposed(role, v string) (Exposed, bool) {
	f := strings.Split(v, "|")
	if len(f) < 4 {
		return Exposed{}, false
	}
	n := len(f)
	ms, err1 := strconv.ParseInt(f[n-3], 10, 64)
	part, err2 := strconv.Atoi(f[n-2])
	off, err3 := strconv.ParseInt(f[n-1], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Exposed{}, false
	}
	return Exposed{
		ListKey: ListKey{Role: role, Version: strings.Join(f[:n-3], "|")},
		At:      time.UnixMilli(ms).UTC(), Trigger: schemas.Offset{Partition: part, Offset: off},
	}, true
}

func parseAttributed(field string) (Attributed, bool) {
	role, rest, ok1 := strings.Cut(field, "|")
	i := strings.LastIndex(rest, "|")
	if !ok1 || i < 0 {
		return Attributed{}, false
	}
	return Attributed{ListKey: ListKey{Role: role, Version: rest[:i]}, Type: schemas.EventType(rest[i+1:])}, true
}

// AttributionTotals returns the lists and attributed events counted per
// model version and role since the counts began.
func (s *Store) AttributionTotals(ctx context.Context) (map[ListKey]AttributionCount, error) {
	m, err := s.rdb.HGetAll(ctx, s.tallyKey("attributed")).Result()
	if err != nil {
		return nil, fmt.Errorf("reading attribution: %w", err)
	}
	out := map[ListKey]AttributionCount{}
	for field, v := range m {
		a, ok := parseAttributed(field)
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			continue
		}
		c := out[a.ListKey]
		if c.Events == nil {
			c.Events = map[schemas.EventType]int64{}
		}
		if a.Type == "lists" {
			c.Lists = n
		} else {
			c.Events[a.Type] = n
		}
		out[a.ListKey] = c
	}
	return out, nil
}
