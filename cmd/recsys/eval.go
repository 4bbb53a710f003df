package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/recsys/recsys/trainer/datasets"
	"github.com/recsys/recsys/trainer/eval"
)

// evalConfig is the configuration of `recsys eval`.
type evalConfig struct {
	Input    string
	Format   string
	Run      eval.Config
	ks       string
	models   string
	cut      string
	JSON     bool
	Blend    bool
	RecsOut  string
	PlotPath string
}

// runEval evaluates models offline on a file and prints the report.
func runEval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseEvalFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Run.Protocol == eval.SLI {
		return runEvalSLI(ctx, c, stdout)
	}
	data, err := datasets.Load(c.Input, datasets.Format(c.Format))
	if err != nil {
		return err
	}
	rep, err := eval.RunData(ctx, data, c.Run)
	if err != nil {
		return err
	}
	if c.Blend && c.Run.Protocol != eval.Explicit {
		if err := eval.AddBlend(ctx, rep, c.Run); err != nil {
			return err
		}
	}
	if c.RecsOut != "" {
		if err := rep.WriteRecs(c.RecsOut); err != nil {
			return err
		}
	}
	if c.PlotPath != "" {
		if err := rep.WritePlot(c.PlotPath); err != nil {
			return err
		}
	}
	if c.JSON {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}

func parseEvalFlags(args []string, getenv func(string) string, stderr io.Writer) (evalConfig, error) {
	var c evalConfig
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv("RECSYS_EVAL_" + name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Input, "input", env("INPUT", ""), "interaction file, gzip or not (env RECSYS_EVAL_INPUT)")
	fs.StringVar(&c.Format, "format", env("FORMAT", ""), "retail | tsv | jsonl | movielens (default: guessed from the file name)")
	protocol := fs.String("protocol", env("PROTOCOL", "llo"), "llo | temporal | random | exp | sli (sli: --input is the TouK interactions.tsv, the group files lie beside it)")
	fs.StringVar(&c.ks, "k", env("K", "5,10,20"), "cut-offs, comma separated")
	fs.StringVar(&c.models, "models", env("MODELS", ""), "models, comma separated (default: all registered; popularity is always included)")
	fs.IntVar(&c.Run.Threads, "threads", envInt(env("THREADS", ""), 0), "threads for fitting and ranking (default GOMAXPROCS)")
	fs.Int64Var(&c.Run.Seed, "seed", int64(envInt(env("SEED", ""), 1)), "seed of splits and fitting")
	fs.Float64Var(&c.Run.TestFrac, "test-frac", 0.2, "held-out share of the temporal, random and exp splits")
	fs.StringVar(&c.cut, "cut", "", "temporal split time, RFC 3339 or YYYY-MM-DD (default: the 80% event quantile)")
	fs.BoolVar(&c.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&c.Blend, "blend", true, "add a row blending every model, weights tuned on a validation split carved from training (ranking protocols)")
	fs.StringVar(&c.RecsOut, "recs-out", "", "write each model's top-K lists (user<TAB>item1,item2,…) and test.tsv into this directory")
	fs.StringVar(&c.PlotPath, "plot", "", "draw HR@K and NDCG@K against K per model into this PNG file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Run.Protocol = eval.Protocol(*protocol)
	c.Run.Progress = stderr
	c.Run.Algorithms = eval.Algorithms()
	if c.models == "" && c.Run.Protocol != eval.Explicit {
		c.Run.Models = eval.DefaultModels() // registered models, not the variants
	}
	return c, c.finish()
}

// finish parses the list and time flags and validates, one error per rule.
func (c *evalConfig) finish() error {
	var errs []error
	if c.Input == "" {
		errs = append(errs, errors.New("eval: --input is required"))
	}
	for _, f := range strings.Split(c.ks, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			errs = append(errs, fmt.Errorf("eval: --k: %q is not an integer", f))
			continue
		}
		c.Run.Ks = append(c.Run.Ks, k)
	}
	for _, m := range strings.Split(c.models, ",") {
		if m = strings.TrimSpace(m); m != "" {
			c.Run.Models = append(c.Run.Models, m)
		}
	}
	if c.cut != "" {
		t, err := time.Parse(time.RFC3339, c.cut)
		if err != nil {
			t, err = time.Parse(time.DateOnly, c.cut)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("eval: --cut %q: want RFC 3339 or YYYY-MM-DD", c.cut))
		}
		c.Run.Cut = t
	}
	if err := c.Run.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func envInt(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// runEvalSLI runs protocol SLI on the TouK files and prints its report.
func runEvalSLI(ctx context.Context, c evalConfig, stdout io.Writer) error {
	rep, err := eval.RunSLI(ctx, c.Input, c.Run)
	if err != nil {
		return err
	}
	if c.JSON {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}
