package synth

import (
	"math/rand/v2"
	"slices"
)

// linkWeights are the relative weights of a product's "next" links, in
// order: the next item of its collection (when it has one) first, then
// same-category complements, then the cross-category complement.
func linkWeights(n int) []float64 {
	w := []float64{0.40, 0.25, 0.15, 0.12, 0.08}
	return w[:min(n, len(w))]
}

// crossLinkShare is the probability that a product links to a complement in a
// neighbouring category.
const crossLinkShare = 0.5

// link gives every product its "next" products: besides the collection link
// set by nameCategory, 2–3 same-category complements and sometimes one
// cross-category complement, each drawn by popularity, so popular products
// are also the common destinations.
func (c *catalog) link(rng *rand.Rand) {
	for i := range c.products {
		p := &c.products[i]
		cat := &c.categories[p.cat]
		want := len(p.links) + 2 + rng.IntN(2)
		for try := 0; len(p.links) < want && try < 10; try++ {
			p.links = addLink(p.links, int32(i), cat.products[cat.popularity.draw(rng)])
		}
		if len(cat.related) > 0 && rng.Float64() < crossLinkShare {
			other := &c.categories[cat.related[rng.IntN(len(cat.related))]]
			p.links = addLink(p.links, int32(i), other.products[other.popularity.draw(rng)])
		}
		p.links = p.links[:min(len(p.links), len(linkWeights(len(p.links))))]
		if len(p.links) > 0 {
			p.next = newCumulative(linkWeights(len(p.links)))
		}
	}
}

// addLink appends to unless it is self or already linked.
func addLink(links []int32, self, to int32) []int32 {
	if to == self || slices.Contains(links, to) {
		return links
	}
	return append(links, to)
}
