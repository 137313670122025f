package keys

import (
	"strings"
	"testing"
)

func TestCheckPassphrase(t *testing.T) {
	tests := []struct {
		p    string
		want error
	}{
		{"", errPassphraseShort},
		{"abcdefghijk", errPassphraseShort},          // 11 characters
		{"kestrel3 oak", nil},                        // 12 characters
		{"  kestrel3oa  ", errPassphraseShort},       // 11 once the spaces around are dropped
		{"my cat naps", errPassphraseShort},          // three words, 11 characters
		{"I am a cat", nil},                          // four words, though 10 characters
		{"correct horse battery staple", nil},        // four words
		{"password1234", errPassphraseCommon},        // 12 characters, the first thing guessed
		{"Password1234!", errPassphraseCommon},       // capitals and a symbol change nothing
		{"P@ssw0rd2024", errPassphraseCommon},        // nor do stand-ins for letters
		{"pass word 1234", errPassphraseCommon},      // nor spaces
		{"qwertyuiop12", errPassphraseCommon},        // a keyboard row
		{"Winter2024!!", errPassphraseCommon},        // a season and a year
		{"ReferralDesk1", errPassphraseCommon},       // this application's name
		{"passwordpassword", nil},                    // not itself on the list; Strength says fair
		{"aaaaaaaaaaaa", errPassphraseRepetitive},    // one character
		{"123456789012", errPassphraseRepetitive},    // counting
		{"abcdefghijkl", errPassphraseRepetitive},    // the alphabet
		{"a b c d", errPassphraseRepetitive},         // four words, but a b c d
		{"abababababab", errPassphraseRepetitive},    // two characters
		{"dad mom dad mom", errPassphraseRepetitive}, // four different characters
		{"Tr0ub4dor&3x", nil},
	}
	for _, tt := range tests {
		if got := CheckPassphrase(tt.p); got != tt.want {
			t.Errorf("CheckPassphrase(%q) = %v; want %v", tt.p, got, tt.want)
		}
	}
}

func TestStrength(t *testing.T) {
	tests := []struct {
		p, want string
	}{
		{"", "too short"},
		{"abcdefghijk", "too short"},
		{"password1234", "too short"},                    // CheckPassphrase refuses it: common
		{"aaaaaaaaaaaa", "too short"},                    // CheckPassphrase refuses it: repetitive
		{"ilovemydog12", "fair"},                         // a few words and two digits
		{"monkeybanana", "fair"},                         // two words
		{"passwordpassword", "fair"},                     // a common word twice
		{"I am a cat", "fair"},                           // four words, but short ones
		{"correct horse battery staple", "good"},         // four words
		{"Tr0ub4dor&3x", "good"},                         // a word in disguise
		{"correct horse battery staple cloud", "strong"}, // five words
		{"Kx9#mQ2$vL7p", "strong"},                       // 12 characters of all kinds at random
		{"wq7Rf2Lk9Zt4Hp3s", "strong"},
	}
	for _, tt := range tests {
		if got := Strength(tt.p); got != tt.want {
			t.Errorf("Strength(%q) = %q (%.0f bits); want %q", tt.p, got, guessBits(strings.TrimSpace(tt.p)), tt.want)
		}
	}
}

// The hint and the rule must agree: the hint says "too short" exactly when the
// passphrase would be refused.
func TestStrengthAgreesWithCheckPassphrase(t *testing.T) {
	for _, p := range []string{"", "short", "abcdefghijk", "kestrel3 oak", "password1234", "a b c d",
		"I am a cat", "correct horse battery staple", "123456789012", "Kx9#mQ2$vL7p"} {
		refused := CheckPassphrase(p) != nil
		if tooShort := Strength(p) == "too short"; tooShort != refused {
			t.Errorf("%q: Strength = %q but CheckPassphrase = %v; the hint and the rule disagree",
				p, Strength(p), CheckPassphrase(p))
		}
	}
}
