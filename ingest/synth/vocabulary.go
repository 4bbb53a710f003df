package synth

// vocabulary is how the products of one category are named and priced. A
// title is "<modifier> <material> <noun>", e.g. "Blue Ceramic Mug" (the
// "material" is a product line where no material fits every noun); the
// products of a collection share modifier and material.
type vocabulary struct {
	name      string
	modifiers []string // nil means colors()
	materials []string
	nouns     []string
	price     float64 // median price in Currency
}

// MaxCategories is the number of distinct categories the generator can name.
func MaxCategories() int { return len(vocabularies()) }

// colors are the default modifiers.
func colors() []string {
	return []string{
		"Blue", "Sage", "Charcoal", "Ivory", "Terracotta", "Navy", "Black",
		"Olive", "Mustard", "Blush", "Forest", "Sand", "White", "Rust",
	}
}

// vocabularies lists the categories in an order where neighbours are related
// (Kitchen next to Coffee & Tea), which is where cross-category "next" links
// point. It is a function, not a variable, so that nothing can mutate it.
func vocabularies() []vocabulary {
	return []vocabulary{
		{name: "Kitchen", materials: []string{"Ceramic", "Stoneware", "Porcelain", "Enamel", "Speckled"},
			nouns: []string{"Mug", "Bowl", "Plate", "Serving Platter", "Pitcher", "Salad Bowl", "Butter Dish", "Pasta Bowl"}, price: 24},
		{name: "Coffee & Tea", materials: []string{"Copper", "Steel", "Glass", "Ceramic", "Matte"},
			nouns: []string{"Pour-Over Dripper", "French Press", "Tea Tin", "Coffee Grinder", "Tumbler", "Travel Mug", "Kettle", "Tea Infuser"}, price: 32},
		{name: "Home Decor", materials: []string{"Brass", "Oak", "Marble", "Terracotta", "Stoneware", "Rattan"},
			nouns: []string{"Vase", "Candle Holder", "Picture Frame", "Wall Mirror", "Planter", "Bookends", "Table Lamp", "Wall Clock"}, price: 38},
		{name: "Bedding", materials: []string{"Linen", "Cotton", "Flannel", "Silk", "Bamboo"},
			nouns: []string{"Duvet Cover", "Pillowcase Set", "Throw Blanket", "Fitted Sheet", "Quilt", "Sleep Mask"}, price: 60},
		{name: "Bath", materials: []string{"Cotton", "Waffle", "Turkish Cotton", "Organic", "Plush"},
			nouns: []string{"Bath Towel", "Hand Towel", "Bath Mat", "Robe", "Washcloth Set", "Beach Towel"}, price: 28},
		{name: "Skincare", modifiers: []string{"Daily", "Hydrating", "Gentle", "Overnight", "Brightening", "Calming", "Nourishing"},
			materials: []string{"Lavender", "Rose", "Citrus", "Unscented", "Green Tea", "Aloe", "Vanilla"},
			nouns:     []string{"Face Cream", "Serum", "Cleanser", "Lip Balm", "Body Lotion", "Face Mask", "Toner"}, price: 22},
		{name: "Apparel", materials: []string{"Cotton", "Merino", "Linen", "Denim", "Fleece", "Organic Cotton"},
			nouns: []string{"T-Shirt", "Hoodie", "Sweater", "Shirt", "Chinos", "Jacket", "Cardigan", "Shorts"}, price: 45},
		{name: "Footwear", materials: []string{"Leather", "Suede", "Canvas", "Knit", "Vegan Leather"},
			nouns: []string{"Sneakers", "Boots", "Loafers", "Sandals", "Slippers", "Running Shoes"}, price: 85},
		{name: "Accessories", materials: []string{"Classic", "Everyday", "Heritage", "Minimal", "Signature"},
			nouns: []string{"Scarf", "Beanie", "Belt", "Wallet", "Sunglasses", "Watch Strap", "Gloves", "Cap"}, price: 30},
		{name: "Bags", materials: []string{"Canvas", "Leather", "Nylon", "Waxed Cotton", "Recycled"},
			nouns: []string{"Backpack", "Tote Bag", "Duffel Bag", "Crossbody Bag", "Laptop Sleeve", "Weekender"}, price: 70},
		{name: "Outdoor", materials: []string{"Lightweight", "Insulated", "Recycled", "Trail", "Expedition"},
			nouns: []string{"Water Bottle", "Camping Mug", "Hammock", "Headlamp", "Picnic Blanket", "Daypack", "Camp Chair"}, price: 40},
		{name: "Fitness", materials: []string{"Eco", "Pro", "Travel", "Essential", "Studio"},
			nouns: []string{"Yoga Mat", "Resistance Band", "Foam Roller", "Kettlebell", "Jump Rope", "Gym Towel"}, price: 35},
		{name: "Electronics", materials: []string{"Compact", "Pro", "Mini", "Fabric", "Aluminium"},
			nouns: []string{"Wireless Earbuds", "Bluetooth Speaker", "Phone Case", "Charging Stand", "Power Bank", "USB-C Cable", "Desk Lamp"}, price: 55},
		{name: "Stationery", materials: []string{"Classic", "Recycled", "Leather", "Kraft", "Pocket"},
			nouns: []string{"Notebook", "Planner", "Fountain Pen", "Pencil Case", "Desk Organizer", "Sketchbook"}, price: 18},
		{name: "Toys", materials: []string{"Wooden", "Classic", "Magnetic", "Mini", "Deluxe"},
			nouns: []string{"Building Blocks", "Puzzle", "Plush Bear", "Stacking Rings", "Train Set", "Kite", "Board Game"}, price: 27},
		{name: "Pet", materials: []string{"Classic", "Reflective", "Cozy", "Padded", "Eco"},
			nouns: []string{"Dog Collar", "Dog Leash", "Cat Bed", "Pet Bowl", "Chew Toy", "Cat Scratcher"}, price: 26},
	}
}
