package scorer

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/recsys/recsys/features"
	"github.com/recsys/recsys/schemas"
)

// request is one list to build.
type request struct {
	user features.User
	n    int
	// at is the triggering event's time (now for a pull): rule windows end here.
	at time.Time
	// seed varies the explored products between users and lists.
	seed string
}

// built is one assembled list.
type built struct {
	items   []schemas.ScoredItem
	sources []string
	reason  string
}

// plan is one request's candidates before the rules.
type plan struct {
	req      request
	excluded map[string]bool
	ranked   []candidate // the model's, re-weighted by the rules, best first
	cold     bool        // the model did not personalize: trending leads
	explore  []candidate
}

// build assembles one list per request ranked by model (nil: none yet),
// sharing look's catalog and trending reads between the requests: one round
// trip for the catalog (with extra products the caller needs), and one more
// plus a catalog read when a list needs trending.
func (s *Stage) build(ctx context.Context, model Ranker, reqs []request, look *lookup, extra []string) ([]built, error) {
	plans := make([]plan, len(reqs))
	gids := append(append(look.gids[:0], s.cfg.Pinned...), extra...)
	for k, r := range reqs {
		plans[k] = s.plan(model, r, look)
		p := &plans[k]
		gids = append(gids, recentProducts(r.user.History)...)
		for _, c := range p.ranked {
			gids = append(gids, c.gid)
		}
		for _, c := range p.explore {
			gids = append(gids, c.gid)
		}
	}
	look.gids = gids[:0] // fetch keeps none of them
	if err := look.fetch(ctx, gids); err != nil {
		return nil, err
	}
	out := make([]built, len(reqs))
	var again []int
	var cats []string
	for k := range plans {
		b, need := s.assemble(&plans[k], model != nil, look)
		out[k] = b
		if need {
			again = append(again, k)
			cats = append(cats, look.recentCategory(plans[k].req.user.History), global)
		}
	}
	if len(again) == 0 {
		return out, nil
	}
	if err := look.fetchTrending(ctx, cats); err != nil {
		return nil, err
	}
	for _, k := range again {
		out[k], _ = s.assemble(&plans[k], model != nil, look)
	}
	return out, nil
}

// plan ranks Depth×n candidates for one request, without what the rules
// exclude, in look's room for the batch's candidates.
func (s *Stage) plan(model Ranker, r request, look *lookup) plan {
	p := plan{req: r, excluded: s.cfg.Rules.excluded(r.user, r.at), cold: true}
	if model != nil {
		exclude := make([]string, 0, len(p.excluded))
		for gid := range p.excluded {
			exclude = append(exclude, gid)
		}
		items, reason := model.Rank(r.user.History, s.cfg.Depth*r.n, exclude)
		p.cold = reason != schemas.ReasonPersonalized
		start := len(look.cands) // a later append may move look.cands; p.ranked keeps its copy
		look.cands = appendCandidates(look.cands, items, SourceModel)
		p.ranked = look.cands[start:len(look.cands):len(look.cands)]
		for k := range p.ranked {
			p.ranked[k].score *= s.cfg.Rules.weight(r.user, p.ranked[k].gid)
		}
		slices.SortStableFunc(p.ranked, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
	}
	p.explore = s.explorer.picks(r.seed, 4*s.cfg.exploreSlots(r.n), p.excluded)
	return p
}

// assemble fills one list: pinned products, then the model's candidates (or,
// for a cold user, trending in the category they just viewed and overall)
// leaving the exploration slots, then exploration, then the rest, then
// trending. It reports whether the list needs trending lists not read yet.
func (s *Stage) assemble(p *plan, haveModel bool, look *lookup) (built, bool) {
	n := p.req.n
	b := &look.builder
	b.reset(n, &s.cfg.Rules, look, p.excluded)
	cat := look.recentCategory(p.req.user.History)
	var trendItems []schemas.ScoredItem
	if cat != global {
		trendItems = look.trending[cat]
	}
	_, haveTrend := look.trending[cat]
	pop, havePop := look.trending[global]
	for _, gid := range s.cfg.Pinned {
		b.offer(candidate{gid: gid, source: SourcePinned})
	}
	lead := p.ranked
	if p.cold {
		lead = appendCandidates(look.lead[:0], trendItems, SourceTrending)
		lead = append(appendCandidates(lead, pop, SourcePopular), p.ranked...)
		look.lead = lead
	}
	rest := b.offerUntil(lead, n-s.cfg.exploreSlots(n))
	b.offerUntil(p.explore, n)
	b.offerUntil(rest, n)
	if !p.cold {
		b.offerItems(trendItems, SourceTrending)
		b.offerItems(pop, SourcePopular)
	}
	need := (p.cold || !b.full()) && (!haveTrend || !havePop)
	out := built{reason: schemas.ReasonPopular}
	out.items, out.sources = b.result()
	switch {
	case !haveModel || p.cold:
	case b.fromModel():
		out.reason = schemas.ReasonPersonalized
	default:
		out.reason = schemas.ReasonBackfill // the rules left the model nothing
	}
	return out, need
}
