package datasets

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// JSONLines reads the canonical JSON-lines log: one schemas.Event per line
// (user_id, product, type, ts), as `recsys produce` sends them. Blank lines
// are skipped; a line that does not decode, or lacks a user, product, valid
// type or time, is an error naming the line: an evaluation should not
// silently drop data.
func JSONLines(r io.Reader) (*trainer.Dataset, error) {
	b := trainer.NewBuilder()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		e, err := schemas.DecodeEventJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if e.UserID == "" || e.Product == "" || !e.Type.Valid() || e.Time.IsZero() {
			return nil, fmt.Errorf("line %d: %w: need user_id, product, a valid type and ts", line, schemas.ErrInvalid)
		}
		b.Add(e.UserID, e.Product, e.Type, e.Time)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading json lines: %w", err)
	}
	return b.Build(), nil
}
