package datasets

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
)

// SLIRow is one line of the TouK showcase's interactions.tsv.
type SLIRow struct {
	User, Item, Category string
}

// SLIInteractions reads the TouK showcase's interactions.tsv (no header:
// label, user, handle, unix_ts, category) in file order. Its timestamps are
// random and carry no order, so the order of the file is the sequence.
func SLIInteractions(r io.Reader) ([]SLIRow, error) {
	var rows []SLIRow
	err := eachTSV(r, 5, func(f []string) error {
		rows = append(rows, SLIRow{User: f[1], Item: f[2], Category: f[4]})
		return nil
	})
	return rows, err
}

// SLIGroup is one evaluation group of protocol SLI: a user's file-order
// history and candidates, the positive among them.
type SLIGroup struct {
	User           string
	Hist, HistCats []string
	Items, Cats    []string
	Labels         []bool
}

// SLIGroups reads test_data_neg9 or valid_data_neg4 (TSV: label, user, item,
// category, ts, hist_items, hist_categories, hist_ts). A group is a run of
// lines of one user and one history; each must hold exactly one positive.
func SLIGroups(r io.Reader) ([]SLIGroup, error) {
	var groups []SLIGroup
	var histKey string
	err := eachTSV(r, 8, func(f []string) error {
		label, err := strconv.Atoi(f[0])
		if err != nil || label < 0 || label > 1 {
			return fmt.Errorf("label %q is not 0 or 1", f[0])
		}
		if n := len(groups); n == 0 || groups[n-1].User != f[1] || histKey != f[5] {
			groups = append(groups, SLIGroup{User: f[1], Hist: splitList(f[5]), HistCats: splitList(f[6])})
			histKey = f[5]
		}
		g := &groups[len(groups)-1]
		g.Items = append(g.Items, f[2])
		g.Cats = append(g.Cats, f[3])
		g.Labels = append(g.Labels, label == 1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if n := positives(g.Labels); n != 1 {
			return nil, fmt.Errorf("group of user %s has %d positives, want 1", g.User, n)
		}
	}
	return groups, nil
}

func positives(labels []bool) int {
	n := 0
	for _, l := range labels {
		if l {
			n++
		}
	}
	return n
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// eachTSV calls fn with the fields of every non-empty line, which must have
// exactly n fields.
func eachTSV(r io.Reader, n int, fn func([]string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != n {
			return fmt.Errorf("line %d: %d fields, want %d", line, len(f), n)
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading tsv: %w", err)
	}
	return nil
}

// SLITrain builds the training Dataset of protocol SLI from rows in file
// order: per user, every row but the last holdout ones (1 for test: the
// valid row is training data then; 2 for validation). Event times are the
// file positions in milliseconds, so sorting by time keeps the file order
// and two events are never at the same instant. Every event is a view: the
// file has no event types. Items of the candidate groups are registered
// too, so that a negative never seen in training still has an id.
func SLITrain(rows []SLIRow, holdout int, groups ...[]SLIGroup) *trainer.Dataset {
	count := map[string]int{}
	for _, r := range rows {
		count[r.User]++
	}
	seen := map[string]int{}
	b := trainer.NewBuilder()
	for k, r := range rows {
		seen[r.User]++
		if seen[r.User] > count[r.User]-holdout {
			continue
		}
		b.AddMillis(r.User, r.Item, schemas.View, int64(k))
	}
	for _, gs := range groups {
		for _, g := range gs {
			for _, it := range g.Items {
				b.Item(it)
			}
		}
	}
	return b.Build()
}
