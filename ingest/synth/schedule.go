package synth

import (
	"math/rand/v2"
	"time"
)

// hourWeight is the relative rate of session starts in hour h (UTC) of the
// day: quiet at night, busy at lunch, busiest in the evening.
func hourWeight(h int) float64 {
	w := [24]float64{
		0.50, 0.30, 0.20, 0.15, 0.15, 0.20, 0.35, 0.55, 0.70, 0.80, 0.85, 0.90,
		1.00, 0.95, 0.90, 0.90, 0.95, 1.05, 1.25, 1.50, 1.70, 1.60, 1.20, 0.80,
	}
	return w[h]
}

// Peak and mean of hourWeight, for thinning.
const (
	peakHourWeight = 1.70
	meanHourWeight = 19.45 / 24 // sum of the table / 24; a test checks it
)

// nextStart draws the first session start after from in a Poisson process
// whose mean rate over a day is rate (per second), modulated by hourWeight.
// It thins a homogeneous process at the peak rate: a candidate at t is kept
// with probability hourWeight/peak. ok is false when no start falls before
// end. Starts are whole milliseconds.
func nextStart(rng *rand.Rand, from, end time.Time, rate float64) (start time.Time, ok bool) {
	peak := rate * peakHourWeight / meanHourWeight
	t := from
	for {
		gap := rng.ExpFloat64() / peak
		if gap >= end.Sub(t).Seconds() {
			return time.Time{}, false
		}
		t = t.Add(time.Duration(gap * float64(time.Second))).Truncate(time.Millisecond)
		if rng.Float64()*peakHourWeight < hourWeight(t.Hour()) {
			return t, true
		}
	}
}
