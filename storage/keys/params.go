package keys

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are Argon2id's costs, stored with each wrapped key so they can be
// raised over time: a wrapping is always unwrapped with the costs it was made
// with, whatever DefaultParams are today.
type Params struct {
	Time      uint32 `json:"t"` // passes over memory
	MemoryKiB uint32 `json:"m"` // memory in KiB
	Threads   uint8  `json:"p"` // lanes computed in parallel
}

// DefaultParams are the costs new passphrase wrappings use: RFC 9106's
// choice for machines short of memory (t=3, section 4) with its memory doubled
// to 128 MiB, since memory is what slows guessers' GPUs, and two lanes for a
// 2-core laptop. Unwrapping took 0.15 to 0.20 s on the 2-core machine it was
// measured on (BenchmarkUnwrapPassphrase), leaving room for a laptop three
// times slower to stay under the second a person waits at unlock.
var DefaultParams = Params{Time: 3, MemoryKiB: 128 * 1024, Threads: 2}

// The limits on stored costs. Params come from disk, so a damaged or hostile
// wrapping must not make Argon2id panic (zero time or threads), allocate more
// than 4 GiB, or run for minutes. Below 8 MiB Argon2id no longer slows down a
// guesser enough to be worth its name.
const (
	minMemoryKiB = 8 * 1024
	maxMemoryKiB = 4 * 1024 * 1024
	maxTime      = 10
	maxThreads   = 32
)

// check says in plain words what is wrong with p, or nil if Argon2id may run
// with it.
func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("keys: Argon2id time cost must be 1 to %d passes, not %d", maxTime, p.Time)
	case p.MemoryKiB < minMemoryKiB || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("keys: Argon2id memory must be 8 MiB to 4 GiB, not %d KiB", p.MemoryKiB)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("keys: Argon2id threads must be 1 to %d, not %d", maxThreads, p.Threads)
	}
	return nil
}

// passphraseKey derives the key that wraps a data key from a passphrase.
// Leading and trailing space is dropped, as CheckPassphrase does not count it:
// a space typed by accident when the passphrase was chosen must not lock the
// person out. The text is put in Unicode's composed form (NFC) first: an
// accented letter is one character on one keyboard and two on another,
// and both must give the same key.
func passphraseKey(passphrase string, salt []byte, p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	secret := []byte(norm.NFC.String(strings.TrimSpace(passphrase)))
	return argon2.IDKey(secret, salt, p.Time, p.MemoryKiB, p.Threads, KeySize), nil
}
