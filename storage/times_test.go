package storage

import "testing"

var instantSeeds = []string{
	"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05.1234567891Z",
	"2026-01-02T03:04:05.Z", "2026-02-28T23:59:59Z", "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
	"2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "2026-01-02T23:59:60Z",
	"2026-01-02T03:04:05+02:00", "2026-01-02T03:04:05z", "2026-01-02", "2026-01", "2026", "", "0000-01-01T00:00:00Z",
	"2026-01-02T03:04:05,5Z", "2026-01-02 03:04:05Z", "+026-01-02T03:04:05Z", "2026-1-02T03:04:05Z", "2026-01-02T03:04:05.-1Z",
}

func TestInstantKeyShortcutAgrees(t *testing.T) {
	for _, s := range instantSeeds {
		agreeInstantKey(t, s)
	}
	for _, s := range []string{"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123Z"} {
		if _, ok := utcKey(s); !ok {
			t.Errorf("utcKey(%q) leaves it to time.Parse: the usual form should take the shortcut", s)
		}
	}
}

func FuzzInstantKey(f *testing.F) {
	for _, s := range instantSeeds {
		f.Add(s)
	}
	f.Fuzz(agreeInstantKey)
}

func agreeInstantKey(t *testing.T, s string) {
	if got, want := instantKey(s), parsedKey(s); got != want {
		t.Errorf("instantKey(%q) = %q; time.Parse and Format give %q", s, got, want)
	}
}
