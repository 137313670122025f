package storage

import (
	"errors"
	"strings"
)

// Inbox search finds a person by phone number: the row keeps the person's
// numbers sealed (Referral.Phones), the index their digits (phoneDigits),
// and a query mostly of digits matches those (parseSearch).

// phoneLines is how Referral.Phones is sealed: one number per line.
func phoneLines(phones []string) string { return strings.Join(phones, "\n") }

// openPhones opens a row's sealed phones. A row stored before the column
// holds an empty value: no phones. One that is damaged is searched without
// them, as its person and need are listed without theirs (openPersonNeed).
func (db *DB) openPhones(source int64, taskID string, stored []byte) (string, error) {
	if len(stored) == 0 {
		return "", nil
	}
	p, err := db.openText(colPhones, referralRowKey(source, taskID), stored)
	if errors.Is(err, ErrDamaged) {
		return "", nil
	}
	return p, err
}

// phoneDigits is what the index keeps of phoneLines: the digits of each
// number, space-separated, so that a query's digits match within one number.
func phoneDigits(lines string) string {
	b := make([]byte, 0, len(lines)+1)
	for p := range strings.SplitSeq(lines, "\n") {
		start := len(b)
		if b = appendDigits(append(b, ' '), p); len(b) == start+1 { // no digits
			b = b[:start]
		}
	}
	if len(b) == 0 {
		return ""
	}
	return string(b[1:])
}

func digitsOf(s string) string { return string(appendDigits(nil, s)) }

func appendDigits(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return b
}
