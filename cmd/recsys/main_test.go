package main

import (
	"runtime/debug"
	"testing"
)

func TestTheGCTargetIsOursUnlessGOGCIsSet(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	tuneGC(func(k string) string { return map[string]string{"GOGC": "50"}[k] }, defaultGCPercent)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the target became %d; want it left alone", got)
	}
	tuneGC(func(string) string { return "" }, defaultGCPercent)
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("without GOGC the target is %d; want %d", got, defaultGCPercent)
	}
}
