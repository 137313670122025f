package keys

import (
	"errors"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A passphrase passes on length or on words: twelve characters, or four words
// however short, since four words a person chose are already hard to guess
// and easy to remember.
const (
	minPassphraseChars = 12
	minPassphraseWords = 4
)

// CheckPassphrase's refusals, each a sentence for the person choosing.
var (
	errPassphraseShort      = errors.New("Use at least 12 characters, or four words or more.")
	errPassphraseCommon     = errors.New("That is one of the most used passwords, so it is easy to guess. Choose another.")
	errPassphraseRepetitive = errors.New("That is mostly repeated or consecutive characters (like aaaa or 1234), " +
		"so it is easy to guess. Choose another.")
)

// CheckPassphrase says whether a passphrase may protect the data: at least 12
// characters, or at least four words separated by spaces; leading and trailing
// space does not count. Beyond that rule it refuses what any guesser tries
// first, as NIST SP 800-63B (5.1.1.2) asks: one of the most used passwords,
// give or take digits and symbols at either end ("Password1234!"), and runs of
// repeated or consecutive characters ("aaaaaaaaaaaa", "123456789012").
// The error is a sentence to show as it is.
func CheckPassphrase(p string) error {
	p = strings.TrimSpace(p)
	switch {
	case utf8.RuneCountInString(p) < minPassphraseChars && len(strings.Fields(p)) < minPassphraseWords:
		return errPassphraseShort
	case isCommonPassword(p):
		return errPassphraseCommon
	case isRepetitive(p):
		return errPassphraseRepetitive
	}
	return nil
}

// Strength is a short hint for a passphrase being typed: "too short", "fair",
// "good" or "strong". "too short" means exactly that CheckPassphrase refuses
// it, whatever the reason (so "password1234" is "too short" although it has 12
// characters: CheckPassphrase's error says why). Otherwise the hint grades
// guessBits: under 35 bits "fair", under 55 "good", else "strong"; four
// words chosen at random are "good", five "strong".
func Strength(p string) string {
	if CheckPassphrase(p) != nil {
		return "too short"
	}
	switch bits := guessBits(strings.TrimSpace(p)); {
	case bits < 35:
		return "fair"
	case bits < 55:
		return "good"
	}
	return "strong"
}

// guessBits is a rough, deliberately modest estimate of the guesses a
// passphrase resists, in bits. Each word (between spaces) counts the lesser
// of two guesses about how it was made: characters picked at random from the
// classes it uses (26 lower, 26 upper, 10 digits, 33 others), or runs of
// letters that are dictionary words (13 bits each, a 7,776-word list, about
// one per 6 letters) followed or broken by digits and symbols picked at
// random. Repeated and consecutive characters count once (see effectiveLength).
func guessBits(p string) float64 {
	total := 0.0
	for _, word := range strings.Fields(p) {
		runes := []rune(word)
		random := float64(effectiveLength(runes)) * math.Log2(poolSize(runes))
		total += min(random, patternBits(runes))
	}
	return total
}

// patternBits estimates a word as runs of letters, digits and other
// characters, each run guessed on its own.
func patternBits(word []rune) float64 {
	total := 0.0
	for start := 0; start < len(word); {
		end := start + 1
		for end < len(word) && charClass(word[end]) == charClass(word[start]) {
			end++
		}
		run := word[start:end]
		n := float64(effectiveLength(run))
		if charClass(run[0]) == classLetter {
			total += min(n*math.Log2(poolSize(run)), 13*max(1, n/6))
		} else {
			total += n * math.Log2(poolSize(run))
		}
		start = end
	}
	return total
}

// Character classes, for poolSize and patternBits.
const (
	classLetter = iota
	classDigit
	classOther
)

func charClass(r rune) int {
	switch {
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsDigit(r):
		return classDigit
	}
	return classOther
}

// poolSize is how many characters a guesser tries for each of word's: the
// sizes of the classes it uses, counting lower and upper case apart.
func poolSize(word []rune) float64 {
	var lower, upper, digit, other bool
	for _, r := range word {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsLetter(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	size := 0
	for _, c := range []struct {
		used bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 33}} {
		if c.used {
			size += c.size
		}
	}
	return float64(size)
}

// effectiveLength counts the characters of s that a guesser could not
// predict from the one before: one that repeats it ("aa") or comes next or
// before it in sequence ("ab", "21"), ignoring case, counts for nothing.
func effectiveLength(s []rune) int {
	n := 0
	for i, r := range s {
		if i == 0 || !predictable(s[i-1], r) {
			n++
		}
	}
	return n
}

func predictable(prev, r rune) bool {
	d := unicode.ToLower(r) - unicode.ToLower(prev)
	return d >= -1 && d <= 1
}

// isRepetitive says whether p, spaces aside, is mostly repeated or
// consecutive characters: fewer than 6 that effectiveLength counts, or
// fewer than 5 different ones.
func isRepetitive(p string) bool {
	letters := []rune(strings.ToLower(strings.Join(strings.Fields(p), "")))
	distinct := make(map[rune]bool)
	for _, r := range letters {
		distinct[r] = true
	}
	return effectiveLength(letters) < 6 || len(distinct) < 5
}
