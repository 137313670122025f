package app

import (
	"context"
	"errors"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
)

// Only what the platform said settles a change; a problem here leaves it queued.
func TestOnlyThePlatformRefusesAChange(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		refused bool
	}{
		{"403", &fhir.Error{Kind: fhir.KindForbidden}, true},
		{"422", &fhir.Error{Kind: fhir.KindInvalid}, true},
		{"410", &fhir.Error{Kind: fhir.KindGone}, true},
		{"unreadable answer", &fhir.Error{Kind: fhir.KindBadResponse}, true},
		{"offline", &fhir.Error{Kind: fhir.KindOffline}, false},
		{"503", &fhir.Error{Kind: fhir.KindServer}, false},
		{"cancelled", context.Canceled, false},
		{"disk full while saving", &Error{Kind: KindLocal, Err: errors.New("database or disk is full")}, false},
		{"a bug here", errors.New("index out of range"), false},
	}
	for _, c := range cases {
		if got := refusedByPlatform(c.err); got != c.refused {
			t.Errorf("%s: refused=%v, want %v", c.name, got, c.refused)
		}
	}
}
