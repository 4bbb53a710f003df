package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
	"github.com/recsys/recsys/trainer"
	"github.com/recsys/recsys/trainer/datasets"
	"github.com/recsys/recsys/trainer/mf"
)

// Config is one evaluation run.
type Config struct {
	// Protocol of the split. Default: LLO.
	Protocol Protocol
	// Ks are the cut-offs. Default: 5, 10, 20.
	Ks []int
	// Models by name in Algorithms (ExplicitFitters for EXP). Default: every
	// algorithm there. Popularity is always added, first.
	Models []string
	// Algorithms maps model names to algorithms (trainer/models.All plus
	// Variants, say). Required for the ranking protocols.
	Algorithms trainer.Registry
	// Threads for fitting and ranking; <= 0 means GOMAXPROCS.
	Threads int
	// Seed for splits and fitting.
	Seed int64
	// TestFrac is the held-out fraction of the random, temporal and EXP
	// splits. Default: 0.2.
	TestFrac float64
	// Cut is the temporal split's time; zero picks the time that leaves
	// TestFrac of the events after it.
	Cut time.Time
	// Weights of event types. Default: features.DefaultWeights().
	Weights map[schemas.EventType]float64
	// Progress, if not nil, receives one line per stage.
	Progress io.Writer
}

func (c Config) withDefaults() Config {
	if c.Protocol == "" {
		c.Protocol = LLO
	}
	if len(c.Ks) == 0 {
		c.Ks = []int{5, 10, 20}
	}
	if c.TestFrac == 0 {
		c.TestFrac = 0.2
	}
	if c.Weights == nil {
		c.Weights = features.DefaultWeights()
	}
	c.Threads = mf.Threads(c.Threads)
	return c
}

// Validate reports every invalid field (after defaults), one error each.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	switch c.Protocol {
	case LLO, Temporal, Random, Explicit, SLI:
	default:
		errs = append(errs, fmt.Errorf("eval: unknown protocol %q (want llo, temporal, random, exp or sli)", c.Protocol))
	}
	for _, k := range c.Ks {
		if k < 1 {
			errs = append(errs, fmt.Errorf("eval: cut-off %d must be positive", k))
		}
	}
	if c.TestFrac <= 0 || c.TestFrac >= 1 {
		errs = append(errs, fmt.Errorf("eval: test fraction %g must be in (0, 1)", c.TestFrac))
	}
	return errors.Join(errs...)
}

// Result is one model's row of a Report.
type Result struct {
	Model            string            `json:"model"`
	Threads          int               `json:"threads"`
	TrainSeconds     float64           `json:"train_seconds"`
	RecommendSeconds float64           `json:"recommend_seconds"`
	Metrics          []trainer.Metrics `json:"metrics"`
	Rating           *RatingErrors     `json:"rating,omitempty"`
	// Lists are the top-max(K) items of each test case, in Report.Test order.
	Lists [][]int32 `json:"-"`
	// Component is the fitted model behind the row, kept for AddBlend.
	Component trainer.Component `json:"-"`
	// Weights of the blend row's parts, by model.
	Weights map[string]float64 `json:"weights,omitempty"`
}

// RatingErrors are the explicit protocol's rating-prediction errors.
type RatingErrors struct {
	RMSE float64 `json:"rmse"`
	MAE  float64 `json:"mae"`
	R2   float64 `json:"r2"`
}

// Report is the outcome of a run.
type Report struct {
	Protocol      Protocol `json:"protocol"`
	Seed          int64    `json:"seed"`
	Ks            []int    `json:"ks"`
	Users         int      `json:"users"`
	Items         int      `json:"items"`
	Events        int      `json:"events"`
	TrainingItems int      `json:"training_items"`
	TestUsers     int      `json:"test_users"`
	Results       []Result `json:"results"`
	// Split is what the lists answer: Split.Test[k] ↔ Result.Lists[k].
	Split Split `json:"-"`
}

// Run splits d by cfg.Protocol (not EXP: see RunExplicit) and evaluates
// every model on the split.
func Run(ctx context.Context, d *trainer.Dataset, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	var s Split
	switch cfg.Protocol {
	case LLO:
		s = SplitLLO(d)
	case Temporal:
		s = SplitTemporal(d, cfg.Cut.UnixMilli(), cfg.TestFrac)
	case Random:
		s = SplitRandom(d, cfg.TestFrac, uint64(cfg.Seed))
	case SLI:
		return nil, errors.New("eval: protocol sli scores the group files beside interactions.tsv: use RunSLI")
	default:
		return nil, fmt.Errorf("eval: protocol %q needs ratings: use RunExplicit", cfg.Protocol)
	}
	return RunSplit(ctx, s, d.NumEvents(), cfg)
}

// RunSplit evaluates every model of cfg on a split made elsewhere.
func RunSplit(ctx context.Context, s Split, events int, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	names, err := modelNames(cfg.Models, cfg.Algorithms)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Protocol: cfg.Protocol, Seed: cfg.Seed, Ks: cfg.Ks, Users: len(s.Train.Users), Items: len(s.Train.Items),
		Events: events, TrainingItems: trainingItems(s.Train), TestUsers: len(s.Test), Split: s,
	}
	progress(cfg.Progress, "%s split: %s", cfg.Protocol, s.Describe())
	for _, name := range names {
		res, err := evalModel(ctx, s, name, cfg.Algorithms[name], cfg)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// modelNames resolves the requested models: popularity first, then the
// rest in the order asked (all of reg, sorted, when none were).
func modelNames(asked []string, reg trainer.Registry) ([]string, error) {
	pop := trainer.Popularity{}.Name()
	if len(asked) == 0 {
		for n := range reg {
			asked = append(asked, n)
		}
		slices.Sort(asked)
	}
	names := []string{pop}
	for _, n := range asked {
		n = strings.TrimSpace(n)
		if n == "" || slices.Contains(names, n) {
			continue
		}
		if _, ok := reg[n]; !ok {
			return nil, fmt.Errorf("eval: unknown model %q", n)
		}
		names = append(names, n)
	}
	if _, ok := reg[pop]; !ok {
		return nil, errors.New("eval: the algorithms must include popularity, the baseline of every table")
	}
	return names, nil
}

// evalModel fits one algorithm on the training set and ranks for every case.
func evalModel(ctx context.Context, s Split, name string, alg trainer.Algorithm, cfg Config) (Result, error) {
	res := Result{Model: name, Threads: cfg.Threads}
	progress(cfg.Progress, "%s: fitting", name)
	t0 := time.Now()
	c, err := alg.Fit(ctx, s.Train, trainer.FitConfig{Weights: cfg.Weights, Threads: cfg.Threads, Seed: cfg.Seed})
	if err != nil {
		return res, fmt.Errorf("fitting %s: %w", name, err)
	}
	res.TrainSeconds = time.Since(t0).Seconds()
	res.Component = c
	progress(cfg.Progress, "%s: fitted in %.2fs; ranking %d users", name, res.TrainSeconds, len(s.Test))
	t0 = time.Now()
	res.Lists, err = rankWithProgress(ctx, s, ComponentScorer(c, s.Train), slices.Max(cfg.Ks), cfg)
	if err != nil {
		return res, fmt.Errorf("ranking %s: %w", name, err)
	}
	res.RecommendSeconds = time.Since(t0).Seconds()
	res.Metrics = Score(res.Lists, s.Test, cfg.Ks, trainingItems(s.Train))
	progress(cfg.Progress, "%s: ranked in %.2fs", name, res.RecommendSeconds)
	return res, nil
}

// rankWithProgress is Rank with a progress line every few seconds.
func rankWithProgress(ctx context.Context, s Split, score Scorer, n int, cfg Config) ([][]int32, error) {
	var done atomic.Int64
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() { // joined below through finished
		defer close(finished)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				progress(cfg.Progress, "  ranked %d/%d users", done.Load(), len(s.Test))
			}
		}
	}()
	lists, err := Rank(ctx, s, score, n, cfg.Threads, &done)
	close(stop)
	<-finished
	return lists, err
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "eval: "+format+"\n", args...)
	}
}

// RunData evaluates loaded data: RunExplicit for protocol EXP (which needs
// ratings), Run otherwise.
func RunData(ctx context.Context, d *datasets.Data, cfg Config) (*Report, error) {
	if cfg.Protocol == Explicit {
		if d.Ratings == nil {
			return nil, errors.New("eval: protocol exp needs ratings (a movielens input)")
		}
		return RunExplicit(ctx, d.Ratings, cfg)
	}
	return Run(ctx, d.Events, cfg)
}
