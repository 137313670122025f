package app

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGarbageCollectorHonoursGOGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	t.Setenv("GOGC", "50")
	TuneGarbageCollector()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, the collector's target became %d; the user's GOGC must win", got)
	}

	os.Unsetenv("GOGC") // t.Setenv restores it
	TuneGarbageCollector()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC, the collector's target is %d; want %d", got, GCPercent)
	}
}
