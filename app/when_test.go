package app_test

import (
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 4, 15, 0, 0, 0, time.UTC) // a Wednesday
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(-20 * time.Second), "just now"},
		{now.Add(-12 * time.Minute), "12 min ago"},
		{now.Add(-3 * time.Hour), "3 h ago"},
		{now.Add(-20 * time.Hour), "yesterday"},
		{now.AddDate(0, 0, -2), "Mon"},
		{now.AddDate(0, 0, -20), "15 Oct"},
		{now.AddDate(-1, 0, 0), "4 Nov 2025"},
		{now.Add(48 * time.Hour), "6 Nov 2026"},
		{time.Time{}, ""},
	} {
		if got := app.Ago(c.t, now); got != c.want {
			t.Errorf("Ago(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestOverdueCountsBusinessDaysOfNewReferralsOnly(t *testing.T) {
	now := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) // Monday
	fri := app.Referral{Status: "requested", AuthoredOn: "2026-11-06T09:00:00Z"}
	wed := app.Referral{Status: "requested", AuthoredOn: "2026-11-04T09:00:00Z"}
	accepted := app.Referral{Status: "accepted", AuthoredOn: "2026-10-01T09:00:00Z"}
	if app.Overdue(fri, now, 2) {
		t.Error("Friday's referral is 1 business day old on Monday, not overdue")
	}
	if !app.Overdue(wed, now, 2) {
		t.Error("Wednesday's referral is 3 business days old on Monday: overdue")
	}
	if app.Overdue(accepted, now, 2) {
		t.Error("an accepted referral is never overdue")
	}
}

func TestCheckLinkShowsUnicodeAndPunycode(t *testing.T) {
	l, err := app.CheckLink("https://bücher.example/fhir/metadata")
	if err != nil {
		t.Fatal(err)
	}
	if l.Host != "bücher.example" || l.ASCIIHost != "xn--bcher-kva.example" || !l.Secure || !l.IDN() {
		t.Fatalf("link = %+v", l)
	}
	if l.FHIRBase != "https://bücher.example/fhir" {
		t.Fatalf("base = %q", l.FHIRBase)
	}
	if _, err := app.CheckLink("http://example.org/fhir"); err == nil {
		t.Fatal("plain http off this computer must be refused")
	}
}
