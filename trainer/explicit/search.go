package explicit

import (
	"context"
	"errors"
	"fmt"
)

// Trial is one candidate of a search and its validation errors.
type Trial struct {
	Fitter string
	Valid  Errors
}

// Search fits every candidate on train minus a validation split of
// validFrac (drawn with seed) and returns the candidate with the lowest
// validation RMSE and all trials, in candidate order; ties go to the
// earlier candidate. Like Spark's TrainValidationSplit, it never looks at
// any test set: refit the winner on all of train.
func Search(ctx context.Context, candidates []Fitter, train *Ratings, validFrac float64, threads int, seed uint64) (Fitter, []Trial, error) {
	if len(candidates) == 0 {
		return nil, nil, errors.New("explicit: search needs candidates")
	}
	fit, valid := train.Split(validFrac, seed^0x7a11d)
	var best Fitter
	trials := make([]Trial, 0, len(candidates))
	for _, c := range candidates {
		m, err := c.Fit(ctx, fit, threads, seed)
		if err != nil {
			return nil, nil, fmt.Errorf("searching %s: %w", c.Name(), err)
		}
		e := Evaluate(m, valid)
		trials = append(trials, Trial{Fitter: c.Name(), Valid: e})
		if best == nil || e.RMSE < trials[bestIndex(trials, best)].Valid.RMSE {
			best = c
		}
	}
	return best, trials, nil
}

func bestIndex(trials []Trial, best Fitter) int {
	for k, t := range trials {
		if t.Fitter == best.Name() {
			return k
		}
	}
	return 0
}

// Grid is the default search space: biased MF at three weight decays and
// two sizes, and baseline-residual ALS at three regularisations.
func Grid() []Fitter {
	return []Fitter{
		MF{Factors: 32, Reg: 0.02}, MF{Factors: 32, Reg: 0.05}, MF{Factors: 32, Reg: 0.1},
		MF{Factors: 128, Reg: 0.02}, MF{Factors: 128, Reg: 0.05}, MF{Factors: 128, Reg: 0.1},
		ALS{Reg: 0.05}, ALS{Reg: 0.1}, ALS{Reg: 0.2},
	}
}

// Searched is a Fitter that runs Search over Candidates (default Grid) on
// the ratings it is given and refits the winner on all of them.
type Searched struct {
	Candidates []Fitter
	// ValidFrac is the validation share. Default: 0.2.
	ValidFrac float64
	// Trials receives the search's trials when not nil.
	Trials func([]Trial)
}

// Name implements Fitter.
func (s Searched) Name() string { return "search" }

// Fit implements Fitter.
func (s Searched) Fit(ctx context.Context, r *Ratings, threads int, seed uint64) (*Model, error) {
	cands, frac := s.Candidates, s.ValidFrac
	if len(cands) == 0 {
		cands = Grid()
	}
	if frac == 0 {
		frac = 0.2
	}
	best, trials, err := Search(ctx, cands, r, frac, threads, seed)
	if err != nil {
		return nil, err
	}
	if s.Trials != nil {
		s.Trials(trials)
	}
	return best.Fit(ctx, r, threads, seed)
}
