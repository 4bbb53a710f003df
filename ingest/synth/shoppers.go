package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// activitySpread is the log-normal sigma of how much more or less often than
// average a shopper visits: a few heavy shoppers, many occasional ones.
const activitySpread = 0.7

// shopper is a user with stable tastes.
type shopper struct {
	id     string
	tastes []int      // favourite categories, strongest first
	taste  cumulative // weights of tastes
	rate   float64    // mean session starts per second over the period
}

// newShoppers draws cfg.Users shoppers. Favourite categories are drawn by
// category popularity, so popular categories have more fans.
func newShoppers(cfg Config, c *catalog) []shopper {
	rng := newRand(cfg.Seed, streamShoppers, 0)
	users := make([]shopper, cfg.Users)
	for i := range users {
		u := &users[i]
		u.id = userID(i)
		u.tastes, u.taste = drawTastes(rng, c)
		activity := logNormal(rng, -activitySpread*activitySpread/2, activitySpread) // mean 1
		u.rate = activity * cfg.SessionsPerUser / cfg.Period.Seconds()
	}
	return users
}

// userID formats user i as "user-0042".
func userID(i int) string { return fmt.Sprintf("user-%04d", i) }

// drawTastes returns 1–3 distinct favourite categories and their weights,
// strongest first.
func drawTastes(rng *rand.Rand, c *catalog) ([]int, cumulative) {
	n := 1
	switch r := rng.Float64(); {
	case r < 0.3:
	case r < 0.75:
		n = 2
	default:
		n = 3
	}
	n = min(n, len(c.categories))
	tastes := make([]int, 0, n)
	for len(tastes) < n {
		if k := c.popularity.draw(rng); !slices.Contains(tastes, k) {
			tastes = append(tastes, k)
		}
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.2 + rng.ExpFloat64()
	}
	slices.Sort(w)
	slices.Reverse(w)
	return tastes, newCumulative(w)
}
