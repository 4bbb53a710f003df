package datasets

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/explicit"
)

// MovieLens reads MovieLens ratings in any of the GroupLens layouts:
// ratings.csv (header userId,movieId,rating,timestamp), u.data (tab
// separated, no header) or ratings.dat (user::movie::rating::timestamp).
// Timestamps are Unix seconds.
func MovieLens(r io.Reader) (*explicit.Ratings, error) {
	b := explicit.NewBuilder()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || (line == 1 && strings.HasPrefix(text, "userId")) {
			continue
		}
		f := splitRating(text)
		if len(f) < 4 {
			return nil, fmt.Errorf("line %d: want user, movie, rating, timestamp; got %q", line, text)
		}
		v, err := strconv.ParseFloat(f[2], 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: rating %q: %w", line, f[2], err)
		}
		ts, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: timestamp %q: %w", line, f[3], err)
		}
		b.Add(f[0], f[1], float32(v), ts*1000)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading ratings: %w", err)
	}
	return b.Build(), nil
}

func splitRating(s string) []string {
	switch {
	case strings.Contains(s, "::"):
		return strings.Split(s, "::")
	case strings.Contains(s, "\t"):
		return strings.Split(s, "\t")
	}
	return strings.Split(s, ",")
}

// Interactions turns ratings into an implicit log for the ranking
// protocols: every rating is one event of type typ at its time, whatever its
// value.
func Interactions(r *explicit.Ratings, typ schemas.EventType) *trainer.Dataset {
	b := trainer.NewBuilder()
	for _, x := range r.R {
		b.AddMillis(r.Users[x.User], r.Items[x.Item], typ, x.Time)
	}
	return b.Build()
}
