package app

import (
	"fmt"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// DefaultOverdueDays is how many business days a new referral may wait
// untouched before the inbox marks it overdue.
const DefaultOverdueDays = 2

// ParseWhen reads a FHIR date or dateTime ("2026-11-02", "2026-11-02T15:04:05Z").
func ParseWhen(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Ago says when t was, relative to now, the way a mail client does:
// "just now", "12 min ago", "3 h ago", "yesterday", "Tue", "2 Mar", "2 Mar 2025".
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	d := now.Sub(t)
	y1, m1, d1 := now.Date()
	y2, m2, d2 := t.Date()
	today := time.Date(y1, m1, d1, 0, 0, 0, 0, now.Location())
	day := time.Date(y2, m2, d2, 0, 0, 0, 0, now.Location())
	days := int(today.Sub(day).Hours() / 24)
	switch {
	case d < -time.Minute:
		return t.Format("2 Jan 2006")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case days == 0:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case days == 1:
		return "yesterday"
	case days < 7:
		return t.Format("Mon")
	case y1 == y2:
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// Overdue reports a referral that is still new (nobody has accepted or
// declined it) more than days business days after it was sent.
func Overdue(r Referral, now time.Time, days int) bool {
	if !isNew(r.Status) {
		return false
	}
	sent, ok := ParseWhen(r.AuthoredOn)
	if !ok {
		sent = r.ReceivedAt
	}
	if sent.IsZero() {
		return false
	}
	return BusinessDays(sent, now) > days
}

// BusinessDays counts the weekdays (Monday to Friday) after from's date up
// to and including to's date. Public holidays are not known here.
func BusinessDays(from, to time.Time) int {
	from = from.In(to.Location())
	y, m, d := from.Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, to.Location())
	n := 0
	for i := 0; i < 3660; i++ { // ten years: past that it is overdue by any measure
		day = day.AddDate(0, 0, 1)
		if day.After(to) && !sameDate(day, to) {
			break
		}
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

func sameDate(a, b time.Time) bool {
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// Unread reports a new referral (still requested) that the case worker has
// not opened here: it stays unread across restarts until it is opened, or
// marked unread again (MarkUnread).
func Unread(r Referral) bool {
	return r.SeenAt.IsZero() && r.Status == fhir.StatusRequested
}
