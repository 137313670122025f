package keys

import (
	"regexp"
	"strings"
	"testing"
)

// recoveryKeyFormat is what a person prints: 8 groups of 4 Crockford symbols.
var recoveryKeyFormat = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$`)

func TestNewRecoveryKey(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		rk := newTestRecoveryKey(t)
		if !recoveryKeyFormat.MatchString(rk) {
			t.Fatalf("NewRecoveryKey = %q, want 8 groups of 4 digits and capitals without I, L, O, U", rk)
		}
		if seen[rk] {
			t.Fatalf("NewRecoveryKey gave %q twice in 100 keys; the keys are not random", rk)
		}
		seen[rk] = true
		if parsed, err := ParseRecoveryKey(rk); err != nil || parsed != rk {
			t.Fatalf("ParseRecoveryKey(%q) = %q, %v; a new key must read back as itself", rk, parsed, err)
		}
	}
}

func TestParseRecoveryKeyAccepts(t *testing.T) {
	const want = "7K3Q-M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVWX"
	for _, typed := range []string{
		want,
		strings.ToLower(want),
		"7k3qm0zd1ab2cdefgh45jkmnpqrstvwx",
		"7K3Q M0ZD 1AB2 CDEF GH45 JKMN PQRS TVWX",
		"  7K3Q-M0ZD-1AB2-CDEF\n GH45-JKMN-PQRS-TVWX  ",
		"7K3Q – M0ZD – 1AB2 – CDEF – GH45 – JKMN – PQRS – TVWX", // en dashes from a word processor
		"7K3Q-MOZD-iAB2-CDEF-GH45-JKMN-PQRS-TVWX",               // O for 0, i for 1
		"7K3Q-MoZD-LAB2-CDEF-GH45-JKMN-PQRS-TVWX",               // o for 0, L for 1
		"7K3Q-M0ZD-lAB2-CDEF-GH45-JKMN-PQRS-TVWX",               // l for 1
	} {
		got, err := ParseRecoveryKey(typed)
		if err != nil || got != want {
			t.Errorf("ParseRecoveryKey(%q) = %q, %v; want %q", typed, got, err, want)
		}
	}
}

func TestParseRecoveryKeyRefuses(t *testing.T) {
	tests := []struct {
		typed   string
		wantMsg string
	}{
		{"", "Type the recovery key: 8 groups of 4 letters and digits."},
		{"  - ", "Type the recovery key"},
		{"7K3Q-M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVW", "has 31 letters and digits but should have 32 (8 groups of 4)"},
		{"7K3Q-M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVWXY", "has 33 letters and digits but should have 32"},
		{"7K3Q-M0ZD", "has 8 letters and digits"},
		{"7K3Q-M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVWU", `cannot contain 'U' (character 39)`},
		{"7K3Q-M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVW#", `cannot contain '#' (character 39)`},
		{"7K3Q_M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVWX", `cannot contain '_' (character 5)`},
		{"7K3Q-M0ZD-1AB2-CDEF-GH45-JKMN-PQRS-TVWÉ", `cannot contain 'É' (character 39)`},
	}
	for _, tt := range tests {
		got, err := ParseRecoveryKey(tt.typed)
		if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("ParseRecoveryKey(%q) = %q, %v; want an error saying %q", tt.typed, got, err, tt.wantMsg)
		}
	}
}
