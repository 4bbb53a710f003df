package datasets

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// TSV reads `user<TAB>item<TAB>ts[<TAB>type]` lines. ts is Unix seconds,
// Unix milliseconds (13 digits or more) or RFC 3339; type is an event type
// of the canonical schema and defaults to purchase, like the Online Retail
// rows. Blank lines and lines starting with # are skipped, and so is a
// first line whose ts does not parse (a header).
func TSV(r io.Reader) (*trainer.Dataset, error) {
	b := trainer.NewBuilder()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) < 3 {
			return nil, fmt.Errorf("line %d: want user, item, ts separated by tabs; got %q", line, text)
		}
		ms, err := parseTime(strings.TrimSpace(f[2]))
		if err != nil {
			if line == 1 {
				continue
			}
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		typ := schemas.Purchase
		if len(f) > 3 && strings.TrimSpace(f[3]) != "" {
			typ = schemas.EventType(strings.TrimSpace(f[3]))
			if !typ.Valid() {
				return nil, fmt.Errorf("line %d: unknown event type %q", line, f[3])
			}
		}
		b.AddMillis(strings.TrimSpace(f[0]), strings.TrimSpace(f[1]), typ, ms)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading tsv: %w", err)
	}
	return b.Build(), nil
}

// parseTime reads Unix seconds, Unix milliseconds or RFC 3339 into Unix ms.
func parseTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if len(strings.TrimLeft(s, "-")) >= 13 {
			return n, nil
		}
		return n * 1000, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f * 1000), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q: want Unix seconds, Unix ms or RFC 3339", s)
	}
	return t.UnixMilli(), nil
}
