package synth

import (
	"cmp"
	"slices"
	"testing"

	"github.com/recsys/recsys/schemas"
)

// The statistical tests run on the default config: they check the shape the
// models rely on, with margins wide enough for any seed.

func TestTheFunnelGoesFromViewToCartToPurchase(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	counts := map[schemas.EventType]int{}
	carted, bought := 0, 0
	for id, evs := range d.sessions() {
		if checkFunnel(t, id, evs, counts) {
			carted++
		}
		if evs[len(evs)-1].Type == schemas.Purchase {
			bought++
		}
	}
	cartRate := float64(counts[schemas.AddToCart]) / float64(counts[schemas.View])
	buyRate := float64(bought) / float64(carted)
	t.Logf("views %d, add-to-cart/view %.3f, purchase/session-with-cart %.3f, removes %d",
		counts[schemas.View], cartRate, buyRate, counts[schemas.RemoveFromCart])
	if cartRate < 0.10 || cartRate > 0.25 {
		t.Errorf("add-to-cart per view is %.3f, want 0.10–0.25", cartRate)
	}
	if buyRate < 0.30 || buyRate > 0.60 {
		t.Errorf("sessions with a cart that end in a purchase: %.3f, want 0.30–0.60", buyRate)
	}
	if r := counts[schemas.RemoveFromCart]; r == 0 || r > counts[schemas.AddToCart]/4 {
		t.Errorf("%d removals for %d adds, want occasional", r, counts[schemas.AddToCart])
	}
}

// checkFunnel checks that every step of session id follows the one before
// it, counts its events by type and reports whether anything was carted.
func checkFunnel(t *testing.T, id string, evs []schemas.Event, counts map[schemas.EventType]int) (carted bool) {
	t.Helper()
	viewed := map[string]bool{}
	cart := map[string]int{} // quantity in cart
	for _, ev := range evs {
		counts[ev.Type]++
		switch ev.Type {
		case schemas.View:
			viewed[ev.Product] = true
		case schemas.AddToCart:
			if !viewed[ev.Product] {
				t.Errorf("session %s adds %s to cart before viewing it", id, ev.Product)
			}
			cart[ev.Product] += ev.Quantity
			carted = true
		case schemas.RemoveFromCart:
			if cart[ev.Product] != ev.Quantity {
				t.Errorf("session %s removes %d of %s, cart holds %d", id, ev.Quantity, ev.Product, cart[ev.Product])
			}
			delete(cart, ev.Product)
		case schemas.Purchase:
			if cart[ev.Product] != ev.Quantity {
				t.Errorf("session %s buys %d of %s, cart holds %d", id, ev.Quantity, ev.Product, cart[ev.Product])
			}
		}
	}
	return carted
}

func TestViewsConcentrateInTheUsersFavouriteCategories(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	category := map[string]string{}
	for _, p := range d.g.Catalog() {
		category[p.GID] = p.Category
	}
	liked, views := 0, 0
	for _, ev := range d.events {
		if ev.Type != schemas.View {
			continue
		}
		views++
		if slices.Contains(d.g.Tastes(ev.UserID), category[ev.Product]) {
			liked++
		}
	}
	share := float64(liked) / float64(views)
	t.Logf("%.3f of views are in a favourite category", share)
	if share < 0.6 {
		t.Errorf("%.3f of views are in a favourite category, want > 0.6", share)
	}
}

func TestTheTopTenthOfProductsGetsAnOutsizedShareOfViews(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	views := map[string]int{}
	total := 0
	for _, ev := range d.events {
		if ev.Type == schemas.View {
			views[ev.Product]++
			total++
		}
	}
	counts := make([]int, 0, len(d.g.Catalog()))
	for _, p := range d.g.Catalog() {
		counts = append(counts, views[p.GID])
	}
	slices.SortFunc(counts, func(a, b int) int { return cmp.Compare(b, a) })
	top := 0
	for _, c := range counts[:len(counts)/10] {
		top += c
	}
	share := float64(top) / float64(total)
	t.Logf("top 10%% of products get %.3f of views", share)
	if share < 0.25 {
		t.Errorf("top 10%% of products get %.3f of views, want > 0.25 (uniform: 0.10)", share)
	}
}

func TestTheNextViewDependsOnTheCurrentOne(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	successors := map[string]map[string]int{}
	for _, evs := range d.sessions() {
		prev := ""
		for _, ev := range evs {
			if ev.Type != schemas.View {
				continue
			}
			if prev != "" && prev != ev.Product {
				if successors[prev] == nil {
					successors[prev] = map[string]int{}
				}
				successors[prev][ev.Product]++
			}
			prev = ev.Product
		}
	}
	shares, products := 0.0, 0
	for _, next := range successors {
		total, top := 0, 0
		for _, n := range next {
			total += n
			top = max(top, n)
		}
		if total >= 20 {
			shares += float64(top) / float64(total)
			products++
		}
	}
	mean := shares / float64(products)
	t.Logf("over %d products, the top successor takes %.3f of next views", products, mean)
	if products < 50 || mean < 0.2 {
		t.Errorf("over %d products the top successor takes %.3f of next views, want > 0.2 (uniform: 0.002)", products, mean)
	}
}

func TestEveningsAreBusierThanNights(t *testing.T) {
	t.Parallel()
	d := generate(t, Config{})
	var byHour [24]int
	for _, ev := range d.events {
		byHour[ev.Time.Hour()]++
	}
	evening := byHour[19] + byHour[20] + byHour[21]
	night := byHour[2] + byHour[3] + byHour[4]
	if evening < 3*night {
		t.Errorf("19–22h has %d events, 2–5h %d: want evenings at least 3× busier", evening, night)
	}
}
