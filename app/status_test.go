package app_test

import (
	"slices"
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

// The inbox's "By status" puts work waiting on the organization first, then
// work under way, then finished work; codes that are no referral's come last.
func TestStatusRankFollowsTheWorkflow(t *testing.T) {
	order := []string{"requested", "received", "accepted", "in-progress", "on-hold", "completed", "failed",
		"rejected", "cancelled", "entered-in-error"}
	for i, s := range order {
		if got := app.StatusRank(s); got != i {
			t.Errorf("StatusRank(%q) = %d, want %d", s, got, i)
		}
	}
	for _, s := range []string{"draft", "ready", "", "someday"} {
		if got := app.StatusRank(s); got != len(order) {
			t.Errorf("StatusRank(%q) = %d, want %d (last)", s, got, len(order))
		}
	}
}

// Every FHIR R4 Task status is one the command line accepts; nothing else is.
func TestKnownStatusIsEveryTaskStatus(t *testing.T) {
	for _, s := range []string{"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
		"in-progress", "on-hold", "failed", "completed", "entered-in-error"} {
		if !app.KnownStatus(s) {
			t.Errorf("KnownStatus(%q) = false", s)
		}
	}
	for _, s := range []string{"", "bogus", "Accepted"} {
		if app.KnownStatus(s) {
			t.Errorf("KnownStatus(%q) = true", s)
		}
	}
}

// The views split the workflow: every ranked status is in exactly one, and
// Closed is the Closed view.
func TestViewsSplitTheWorkflow(t *testing.T) {
	views := [][]string{app.ViewNew, app.ViewActive, app.ViewClosed}
	for _, s := range []string{"requested", "received", "accepted", "in-progress", "on-hold", "completed", "failed",
		"rejected", "cancelled", "entered-in-error"} {
		n := 0
		for _, v := range views {
			if slices.Contains(v, s) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q is in %d views, want 1", s, n)
		}
		if app.Closed(s) != slices.Contains(app.ViewClosed, s) {
			t.Errorf("Closed(%q) = %v, but the Closed view says otherwise", s, app.Closed(s))
		}
	}
	if !slices.Equal(app.ViewNew, []string{"requested", "received"}) {
		t.Errorf("ViewNew = %v", app.ViewNew)
	}
}

func TestPriorityRankIsMostUrgentFirst(t *testing.T) {
	for i, p := range []string{"stat", "asap", "urgent", "routine"} {
		if got := app.PriorityRank(p); got != i {
			t.Errorf("PriorityRank(%q) = %d, want %d", p, got, i)
		}
		if app.Urgent(p) != (p != "routine") {
			t.Errorf("Urgent(%q) = %v", p, app.Urgent(p))
		}
	}
	for _, p := range []string{"", "someday"} {
		if got := app.PriorityRank(p); got != 4 {
			t.Errorf("PriorityRank(%q) = %d, want 4 (last)", p, got)
		}
		if app.Urgent(p) {
			t.Errorf("Urgent(%q) = true", p)
		}
	}
	if got := app.PriorityLabel("someday"); got != "Someday" {
		t.Errorf(`PriorityLabel("someday") = %q`, got)
	}
	if got := app.PriorityLabel(""); got != "Routine" {
		t.Errorf(`PriorityLabel("") = %q`, got)
	}
}
