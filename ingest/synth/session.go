package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/recsys/recsys/schemas"
)

// Shape of a session: how the walk moves and how the funnel converts.
const (
	continueProb = 0.8  // another view after this one: ~5 views a session
	exploreShare = 0.15 // sessions (and jumps) outside the shopper's tastes
	followShare  = 0.62 // next view follows a "next" link of the current one
	revisitShare = 0.07 // next view goes back to a product seen this session
	browseShare  = 0.18 // next view is a popular product of the same category
	// The rest jumps to a popular product of a favourite category.

	cartProb     = 0.12 // a view adds to cart; ×1.4 in a favourite category, ×1.6 on a second look
	removeProb   = 0.04 // after a view, one cart line is removed
	purchaseProb = 0.45 // a session with a non-empty cart ends in a purchase
)

// cartLine is one product in the cart.
type cartLine struct {
	product int32
	qty     int
}

// session builds the events of one session. One value is reused for every
// session of a stream, so its slices keep their capacity.
type session struct {
	cat    *catalog
	end    time.Time
	rng    *rand.Rand
	user   *shopper
	t      time.Time
	events []step
	cart   []cartLine
	viewed []int32
}

// step is one event of a pending session, kept to 16 bytes: a stream holds
// a session per shopper, and full events would make the generator's memory
// (which the bench counts with recsys's) grow with its longest sessions.
type step struct {
	at      int64 // Unix nanoseconds
	product int32
	qty     int16
	kind    uint8 // index in schemas.EventTypes
}

// event makes the full event of st in session id of user.
func (s *session) event(st step, user *shopper, id string) schemas.Event {
	pr := &s.cat.products[st.product]
	return schemas.Event{
		UserID: user.id, SessionID: id, Type: schemas.EventTypes[st.kind], Product: pr.GID,
		Quantity: int(st.qty), Price: pr.Price, Currency: Currency, Time: time.Unix(0, st.at).In(s.end.Location()),
	}
}

// run appends to events the session of user starting at start, cut at
// s.end, and returns them.
func (s *session) run(events []step, user *shopper, rng *rand.Rand, start time.Time) []step {
	s.events, s.user, s.rng, s.t = events, user, rng, start
	s.cart, s.viewed = s.cart[:0], s.viewed[:0]
	p := s.popular(s.category())
	for {
		s.view(p)
		if s.rng.Float64() >= continueProb || s.t.After(s.end) {
			break
		}
		s.wait(logNormal(s.rng, math.Log(25), 0.9), 3, 600) // dwell on a page
		p = s.next(p)
	}
	s.checkout()
	n := len(s.events)
	end := s.end.UnixNano()
	for n > 0 && s.events[n-1].at > end {
		n--
	}
	return s.events[:n]
}

// view emits a view of p and what may follow it in the funnel.
func (s *session) view(p int32) {
	s.emit(schemas.View, p, 1)
	prob := cartProb
	if slices.Contains(s.user.tastes, s.cat.products[p].cat) {
		prob *= 1.4
	}
	if slices.Contains(s.viewed, p) {
		prob *= 1.6
	} else {
		s.viewed = append(s.viewed, p)
	}
	if !s.inCart(p) && s.rng.Float64() < prob {
		s.wait(2+28*s.rng.Float64(), 2, 30)
		line := cartLine{product: p, qty: quantity(s.rng)}
		s.cart = append(s.cart, line)
		s.emit(schemas.AddToCart, p, line.qty)
	}
	if len(s.cart) > 0 && s.rng.Float64() < removeProb {
		i := s.rng.IntN(len(s.cart))
		line := s.cart[i]
		s.cart = slices.Delete(s.cart, i, i+1)
		s.wait(2+18*s.rng.Float64(), 2, 20)
		s.emit(schemas.RemoveFromCart, line.product, line.qty)
	}
}

// checkout may turn the cart into one purchase event per line, all at the
// moment the order completes.
func (s *session) checkout() {
	if len(s.cart) == 0 || s.rng.Float64() >= purchaseProb {
		return
	}
	s.wait(30+210*s.rng.Float64(), 30, 240)
	for _, line := range s.cart {
		s.emit(schemas.Purchase, line.product, line.qty)
	}
}

// next draws the product viewed after p, avoiding an immediate repeat.
func (s *session) next(p int32) int32 {
	q := p
	for try := 0; try < 3 && q == p; try++ {
		q = s.step(p)
	}
	return q
}

// step draws one candidate for the product viewed after p.
func (s *session) step(p int32) int32 {
	pr := &s.cat.products[p]
	r := s.rng.Float64()
	switch {
	case r < followShare && len(pr.links) > 0:
		return pr.links[pr.next.draw(s.rng)]
	case r < followShare+revisitShare && len(s.viewed) > 1:
		return s.viewed[s.rng.IntN(len(s.viewed))]
	case r < followShare+revisitShare+browseShare:
		return s.popular(pr.cat)
	default:
		return s.popular(s.category())
	}
}

// category draws where a session starts or jumps to: mostly a favourite
// category of the shopper, sometimes any category by popularity.
func (s *session) category() int {
	if s.rng.Float64() < exploreShare {
		return s.cat.popularity.draw(s.rng)
	}
	return s.user.tastes[s.user.taste.draw(s.rng)]
}

// popular draws a product of category k by popularity.
func (s *session) popular(k int) int32 {
	c := &s.cat.categories[k]
	return c.products[c.popularity.draw(s.rng)]
}

func (s *session) inCart(p int32) bool {
	return slices.ContainsFunc(s.cart, func(l cartLine) bool { return l.product == p })
}

// wait advances the clock by sec seconds clamped to [lo, hi], to the
// millisecond.
func (s *session) wait(sec, lo, hi float64) {
	sec = math.Min(math.Max(sec, lo), hi)
	s.t = s.t.Add(time.Duration(sec*1000) * time.Millisecond)
}

// emit appends an event of the session at the current time. EventID is set
// when the event leaves the stream, in global order.
func (s *session) emit(t schemas.EventType, p int32, qty int) {
	s.events = append(s.events, step{at: s.t.UnixNano(), product: p, qty: int16(qty), kind: uint8(slices.Index(schemas.EventTypes, t))})
}
