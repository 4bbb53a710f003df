package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/recsys/recsys/schemas"
)

// Popularity skew: Zipf exponents of categories and of products within a
// category (1.0 gives the top 10% of a 40-product category about 40% of its
// draws).
const (
	categorySkew = 0.8
	productSkew  = 1.0
)

// product is a catalog entry with its place in the walk.
type product struct {
	schemas.Product
	cat   int
	links []int32    // "next" products, strongest first
	next  cumulative // weights of links
}

// category is a set of products with their popularity.
type category struct {
	name       string
	products   []int32    // indices into catalog.products, in id order
	popularity cumulative // over products
	related    []int      // neighbouring categories, for cross-category links
}

// catalog is the generated store. It is read-only once built.
type catalog struct {
	products   []product // in id order
	categories []category
	popularity cumulative // over categories
}

// newCatalog builds the store of cfg.
func newCatalog(cfg Config) *catalog {
	rng := newRand(cfg.Seed, streamCatalog, 0)
	vocab := vocabularies()[:cfg.Categories]
	c := &catalog{products: make([]product, cfg.Products), categories: make([]category, cfg.Categories)}
	c.assignCategories(rng, vocab)
	names := &names{titles: map[string]bool{}, handles: map[string]bool{}}
	for k := range c.categories {
		c.nameCategory(rng, k, vocab[k], names)
	}
	c.popularity = newCumulative(zipf(rng.Perm(cfg.Categories), categorySkew))
	c.link(rng)
	return c
}

// assignCategories gives every product slot an id and a category. Ids grow
// in slot order, like Shopify's, and categories are shuffled across slots so
// that a category's products were not all created together.
func (c *catalog) assignCategories(rng *rand.Rand, vocab []vocabulary) {
	n, k := len(c.products), len(c.categories)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % k // every category gets n/k or n/k+1 products
	}
	rng.Shuffle(n, func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	id := 7_000_000_000_000 + rng.Uint64N(500_000_000_000)
	for i := range c.products {
		id += 1 + rng.Uint64N(1_000_000)
		c.products[i].GID = schemas.ProductGID(id)
		c.products[i].Available = true
		c.products[i].cat = labels[i]
		c.products[i].Category = vocab[labels[i]].name
		c.categories[labels[i]].products = append(c.categories[labels[i]].products, int32(i))
	}
	for j := range c.categories {
		c.categories[j].name = vocab[j].name
		c.categories[j].related = neighbours(j, k)
	}
}

// neighbours returns the categories next to j in vocabulary order.
func neighbours(j, k int) []int {
	var r []int
	if j > 0 {
		r = append(r, j-1)
	}
	if j+1 < k {
		r = append(r, j+1)
	}
	return r
}

// names keeps titles and handles unique across the catalog.
type names struct {
	titles  map[string]bool
	handles map[string]bool
}

// nameCategory splits category k into collections (products sharing a
// modifier and a material, e.g. "Sage Stoneware" mug, bowl and plate), and
// gives each product a title, handle, price and popularity rank.
func (c *catalog) nameCategory(rng *rand.Rand, k int, v vocabulary, nm *names) {
	if v.modifiers == nil {
		v.modifiers = colors()
	}
	cat := &c.categories[k]
	members := cat.products
	for len(members) > 0 {
		size := 1
		if rng.Float64() < 0.6 {
			size = 2 + rng.IntN(3)
		}
		size = min(size, len(members), len(v.nouns))
		group := members[:size]
		members = members[size:]
		titles := nm.collection(rng, v, size)
		level := logNormal(rng, math.Log(v.price), 0.45)
		for i, p := range group {
			pr := &c.products[p]
			pr.Title = titles[i]
			pr.Handle = nm.handle(titles[i])
			pr.Price = price(level * logNormal(rng, 0, 0.15))
			if size > 1 {
				pr.links = append(pr.links, group[(i+1)%size]) // next item of the collection
			}
		}
	}
	cat.popularity = newCumulative(zipf(rng.Perm(len(cat.products)), productSkew))
}

// collection returns size unique titles sharing a modifier and a material,
// with distinct nouns. When the vocabulary is exhausted (huge catalogs), a
// title gets a " No. <n>" suffix instead.
func (nm *names) collection(rng *rand.Rand, v vocabulary, size int) []string {
	titles := make([]string, size)
	for try := 0; ; try++ {
		mod := v.modifiers[rng.IntN(len(v.modifiers))]
		mat := v.materials[rng.IntN(len(v.materials))]
		nouns := rng.Perm(len(v.nouns))
		free := true
		for i := range titles {
			titles[i] = mod + " " + mat + " " + v.nouns[nouns[i]]
			free = free && !nm.titles[titles[i]]
		}
		if free || try == 8 {
			break
		}
	}
	for i, t := range titles {
		for n := 2; nm.titles[titles[i]]; n++ {
			titles[i] = t + " No. " + strconv.Itoa(n)
		}
		nm.titles[titles[i]] = true
	}
	return titles
}

// handle returns the unique Shopify-style handle of title: its slug, with
// "-1", "-2"… appended on collision as Shopify does.
func (nm *names) handle(title string) string {
	base := slug(title)
	h := base
	for n := 1; nm.handles[h]; n++ {
		h = base + "-" + strconv.Itoa(n)
	}
	nm.handles[h] = true
	return h
}

// slug lower-cases s and joins its alphanumeric runs with '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// price rounds v to a shop price ending in .99, at least 2.99. Dividing
// whole cents keeps the float equal to the literal (23.99, not 23.990000001).
func price(v float64) float64 {
	return (math.Max(3, math.Round(v))*100 - 1) / 100
}
