//go:build !race

package trainer_test

// raceEnabled shrinks the slowest tests under the race detector.
const raceEnabled = false
