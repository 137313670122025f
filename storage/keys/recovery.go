package keys

import (
	"encoding/base32"
	"fmt"
	"strings"
	"unicode"
)

// A recovery key is 160 random bits written in Crockford's base32
// (https://www.crockford.com/base32.html): digits and capital letters without
// I, L, O and U, which are too easily misread. 160 bits are exactly 32 symbols,
// printed as 8 groups of 4.
const (
	recoveryBytes   = 20
	recoverySymbols = 32
	recoveryGroup   = 4
	crockford       = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

var recoveryEncoding = base32.NewEncoding(crockford).WithPadding(base32.NoPadding)

// NewRecoveryKey returns a new random recovery key, for a person to print or
// save, such as "7K3Q-M0ZD-…": 160 random bits in Crockford base32, in 8
// groups of 4 separated by "-".
func NewRecoveryKey() (string, error) {
	return groupRecoveryKey(recoveryEncoding.EncodeToString(randomBytes(recoveryBytes))), nil
}

// ParseRecoveryKey normalises a recovery key as a person typed it and returns
// it as NewRecoveryKey wrote it. Case, spaces and dashes do not matter, and
// the look-alikes Crockford allows for are read as meant: O as 0, I and L as
// 1. The error is a sentence for the person typing, saying what is wrong.
func ParseRecoveryKey(s string) (string, error) {
	var symbols strings.Builder
	position := 0 // in characters as typed, to point at a mistake
	for _, r := range s {
		position++
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) { // any dash a word processor may print
			continue
		}
		c, ok := crockfordSymbol(r)
		if !ok {
			return "", fmt.Errorf("The recovery key cannot contain %q (character %d). "+
				"It has only the digits 0 to 9 and the letters A to Z, without U.", r, position)
		}
		symbols.WriteByte(c)
	}
	if n := symbols.Len(); n != recoverySymbols {
		return "", recoveryLengthError(n)
	}
	return groupRecoveryKey(symbols.String()), nil
}

// recoveryKeyBits returns the 160 bits of a recovery key, however typed.
func recoveryKeyBits(s string) ([]byte, error) {
	key, err := ParseRecoveryKey(s)
	if err != nil {
		return nil, err
	}
	return recoveryEncoding.DecodeString(strings.ReplaceAll(key, "-", ""))
}

// crockfordSymbol returns the symbol r stands for, reading look-alikes as
// Crockford's decoding rules say.
func crockfordSymbol(r rune) (byte, bool) {
	switch r = unicode.ToUpper(r); r {
	case 'O':
		return '0', true
	case 'I', 'L':
		return '1', true
	}
	if r < unicode.MaxASCII && strings.ContainsRune(crockford, r) {
		return byte(r), true
	}
	return 0, false
}

func recoveryLengthError(n int) error {
	if n == 0 {
		return fmt.Errorf("Type the recovery key: %d groups of %d letters and digits.",
			recoverySymbols/recoveryGroup, recoveryGroup)
	}
	return fmt.Errorf("The recovery key has %d letters and digits but should have %d (%d groups of %d). "+
		"Check for one missing or typed twice.", n, recoverySymbols, recoverySymbols/recoveryGroup, recoveryGroup)
}

// groupRecoveryKey writes 32 symbols as 8 groups of 4 separated by "-".
func groupRecoveryKey(symbols string) string {
	groups := make([]string, 0, len(symbols)/recoveryGroup)
	for i := 0; i < len(symbols); i += recoveryGroup {
		groups = append(groups, symbols[i:i+recoveryGroup])
	}
	return strings.Join(groups, "-")
}
