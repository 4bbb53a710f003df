package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report as an aligned table: one row per model and
// cut-off, then the run's facts.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "protocol %s · %d users, %d items, %d events · %d training items, %d test users · seed %d\n\n",
		r.Protocol, r.Users, r.Items, r.Events, r.TrainingItems, r.TestUsers, r.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	rating := r.hasRatings()
	head := "model\tK\tHR\tNDCG\tMRR\tP\tR\tMAP\tcov\t"
	if rating {
		head += "RMSE\tMAE\tR²\t"
	}
	fmt.Fprintln(tw, head+"train s\trec s\tthreads\t")
	for _, res := range r.Results {
		for _, m := range res.Metrics {
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.3f\t", res.Model, m.K, m.HR, m.NDCG, m.MRR, m.Precision, m.Recall, m.MAP, m.Coverage)
			if rating {
				if e := res.Rating; e != nil {
					fmt.Fprintf(tw, "%.4f\t%.4f\t%.4f\t", e.RMSE, e.MAE, e.R2)
				} else {
					fmt.Fprint(tw, "–\t–\t–\t")
				}
			}
			fmt.Fprintf(tw, "%.2f\t%.2f\t%d\t\n", res.TrainSeconds, res.RecommendSeconds, res.Threads)
		}
	}
	return tw.Flush()
}

func (r *Report) hasRatings() bool {
	for _, res := range r.Results {
		if res.Rating != nil {
			return true
		}
	}
	return false
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteRecs writes, into dir (created if needed), one file per model,
// <model>.tsv, with a line `user<TAB>item1,item2,…` (best first, top
// max(K)) per test user, and test.tsv with each test user's held-out items
// in the same layout, so that any program can score the lists.
func (r *Report) WriteRecs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	truth := make([][]int32, len(r.Split.Test))
	for k, c := range r.Split.Test {
		truth[k] = c.Relevant
	}
	if err := r.writeLists(filepath.Join(dir, "test.tsv"), truth); err != nil {
		return err
	}
	for _, res := range r.Results {
		if err := r.writeLists(filepath.Join(dir, fileName(res.Model)+".tsv"), res.Lists); err != nil {
			return err
		}
	}
	return nil
}

func (r *Report) writeLists(path string, lists [][]int32) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing lists: %w", err)
	}
	bw := bufio.NewWriter(f)
	items := r.Split.Train.Items
	for k, c := range r.Split.Test {
		bw.WriteString(r.Split.Train.Users[c.User])
		bw.WriteByte('\t')
		for j, it := range lists[k] {
			if j > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(items[it])
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// fileName keeps a model name safe as a file name.
func fileName(model string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, model)
}
