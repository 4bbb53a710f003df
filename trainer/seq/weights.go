package seq

import "github.com/recsys/recsys/schemas"

// typeWeights is FitConfig.Weights as a struct: a switch on the type is
// cheaper than a map lookup per event.
type typeWeights struct {
	View, Cart, Remove, Purchase, Other float32
}

func newTypeWeights(w map[schemas.EventType]float64) typeWeights {
	return typeWeights{
		View:     float32(w[schemas.View]),
		Cart:     float32(w[schemas.AddToCart]),
		Remove:   float32(w[schemas.RemoveFromCart]),
		Purchase: float32(w[schemas.Purchase]),
	}
}

// of returns the weight of an event type; unknown types weigh Other (0).
func (w typeWeights) of(t schemas.EventType) float32 {
	switch t {
	case schemas.View:
		return w.View
	case schemas.AddToCart:
		return w.Cart
	case schemas.RemoveFromCart:
		return w.Remove
	case schemas.Purchase:
		return w.Purchase
	}
	return w.Other
}
