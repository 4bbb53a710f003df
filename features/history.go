package features

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/schemas"
)

// Entry is one event in a user's history.
type Entry struct {
	EventID    string
	Type       schemas.EventType
	ProductGID string
	Time       time.Time
}

// User is what the scorer needs to know about one user.
type User struct {
	ID string
	// History is oldest first, at most the requested length.
	History []Entry
	// Purchased maps product GID to the latest purchase time.
	Purchased map[string]time.Time
	// Seen holds the products the user interacted with (the SeenLen latest).
	Seen map[string]bool
}

func parseMember(member string, score float64) (Entry, bool) {
	typ, rest, ok1 := strings.Cut(member, "\x00")
	gid, eid, ok2 := strings.Cut(rest, "\x00")
	if !ok1 || !ok2 {
		return Entry{}, false
	}
	return Entry{EventID: eid, Type: schemas.EventType(typ), ProductGID: gid, Time: time.UnixMilli(int64(score)).UTC()}, true
}

// History returns the user's last n events, oldest first.
func (s *Store) History(ctx context.Context, user string, n int) ([]Entry, error) {
	users, err := s.Users(ctx, []string{user}, n)
	if err != nil {
		return nil, err
	}
	return users[0].History, nil
}

// Users reads history (last n events, at most HistoryLen), purchases and the
// SeenLen most recently seen items for each user in one pipelined round trip.
func (s *Store) Users(ctx context.Context, ids []string, n int) ([]User, error) {
	users, _, err := s.UsersAndExposures(ctx, ids, n, nil)
	return users, err
}

// usersRead is the queued commands of Users.
type usersRead struct {
	ids  []string
	cmds []userCmds
}

type userCmds struct {
	hist, bought *redis.ZSliceCmd
	seen         *redis.StringSliceCmd
}

// queueUsers adds the commands of Users to pipe.
func (s *Store) queueUsers(ctx context.Context, pipe redis.Pipeliner, ids []string, n int) usersRead {
	n = min(n, s.cfg.HistoryLen)
	q := usersRead{ids: ids, cmds: make([]userCmds, len(ids))}
	for k, id := range ids {
		q.cmds[k] = userCmds{
			hist:   pipe.ZRangeWithScores(ctx, s.userKey(id, "hist"), int64(-n), -1),
			bought: pipe.ZRangeWithScores(ctx, s.userKey(id, "bought"), 0, -1),
			seen:   pipe.ZRange(ctx, s.userKey(id, "seen"), int64(-s.cfg.SeenLen), -1),
		}
	}
	return q
}

// result reads the users from the executed commands.
func (q usersRead) result() []User {
	users := make([]User, len(q.ids))
	for k, c := range q.cmds {
		u := User{ID: q.ids[k], Purchased: timesOf(c.bought.Val()), Seen: setOf(c.seen.Val())}
		for _, z := range c.hist.Val() {
			if e, ok := parseMember(z.Member.(string), z.Score); ok {
				u.History = append(u.History, e)
			}
		}
		users[k] = u
	}
	return users
}

func setOf(members []string) map[string]bool {
	m := make(map[string]bool, len(members))
	for _, g := range members {
		m[g] = true
	}
	return m
}

func timesOf(zs []redis.Z) map[string]time.Time {
	m := make(map[string]time.Time, len(zs))
	for _, z := range zs {
		m[z.Member.(string)] = time.UnixMilli(int64(z.Score)).UTC()
	}
	return m
}
