package storage

import (
	"slices"
	"testing"
)

// Keys sort as the instants do, whatever offset and fraction each was given
// with; what is not a whole timestamp is kept as given.
func TestInstantKeysSortAsTheInstants(t *testing.T) {
	var keys []string
	for _, s := range []string{ // earliest first
		"2026-01-02T03:04:05+02:00", // 01:04:05 UTC
		"2026-01-02T02:04:05Z",
		"2026-01-02T02:04:05.123456789Z",
		"2026-01-02T02:04:05.5Z",
		"2026-01-02T03:04:05-01:00", // 04:04:05 UTC
	} {
		keys = append(keys, instantKey(s))
	}
	if !slices.IsSorted(keys) {
		t.Errorf("keys %q do not sort as their instants", keys)
	}
	for _, partial := range []string{"2026-01-02", "2026-01", "not a time", ""} {
		if got := instantKey(partial); got != partial {
			t.Errorf("instantKey(%q) = %q; want it kept as given", partial, got)
		}
	}
}
