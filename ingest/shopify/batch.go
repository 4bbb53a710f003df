package shopify

// Limits bound what one record may hold.
type Limits struct {
	// MaxEvents rejects a JSON array of more events as too_large. Default: 500.
	MaxEvents int
	// MaxLineItems rejects a checkout with more line items as too_large.
	// Default: 500.
	MaxLineItems int
}

func (l Limits) withDefaults() Limits {
	if l.MaxEvents <= 0 {
		l.MaxEvents = 500
	}
	if l.MaxLineItems <= 0 {
		l.MaxLineItems = 500
	}
	return l
}
