package referralgen

import (
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
)

// tally counts what 2 000 referrals with an open Spec contain.
type tally struct {
	n                        int
	owner, status, priority  map[string]int
	ownedStatus              map[string]int
	unownedNotRequested      int
	doNotContact, noConsent  int
	newPatients, english     int
	categories               map[string]int
	withGoal, twoConditions  int
	completedWithoutProc     int
	reasonMissing, withInput int
}

func count(t *testing.T, g *Generator, n int) tally {
	c := tally{n: n, owner: map[string]int{}, status: map[string]int{}, priority: map[string]int{},
		ownedStatus: map[string]int{}, categories: map[string]int{}}
	for i := 1; i <= n; i++ {
		rs := g.Referral(i, authoredAt(i), Spec{})
		conditions := 0
		var tk, sr, pat map[string]any
		hasConsent, hasGoal, hasProc := false, false, false
		for _, raw := range rs {
			m := decode(t, raw)
			switch m["resourceType"] {
			case "Task":
				tk = m
			case "ServiceRequest":
				sr = m
			case "Patient":
				pat = m
			case "Consent":
				hasConsent = true
			case "Condition":
				conditions++
			case "Goal":
				hasGoal = true
			case "Procedure":
				hasProc = true
			}
		}
		owner, status := str(tk, "owner", "reference"), str(tk, "status")
		c.owner[owner]++
		c.status[status]++
		if owner != "" {
			c.ownedStatus[status]++
		} else if status != fhir.StatusRequested {
			c.unownedNotRequested++
		}
		c.priority[str(tk, "priority")]++
		if hasDoNotContact(sr) {
			c.doNotContact++
		}
		if !hasConsent {
			c.noConsent++
		}
		if pat != nil {
			c.newPatients++
			lang := pat["communication"].([]any)[0].(map[string]any)["language"].(map[string]any)
			if lang["coding"].([]any)[0].(map[string]any)["code"] == "en" {
				c.english++
			}
		}
		cat := sr["category"].([]any)[1].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string)
		c.categories[cat]++
		if hasGoal {
			c.withGoal++
		}
		if conditions == 2 {
			c.twoConditions++
		}
		if status == fhir.StatusCompleted && !hasProc {
			c.completedWithoutProc++
		}
		switch status {
		case fhir.StatusRejected, fhir.StatusCancelled, fhir.StatusOnHold, fhir.StatusFailed:
			if str(tk, "statusReason", "text") == "" {
				c.reasonMissing++
			}
		}
		if tk["input"] != nil {
			c.withInput++
		}
	}
	return c
}

// within reports whether got/of is within ±tol percentage points of want %.
func within(got, of int, want, tol float64) bool {
	p := 100 * float64(got) / float64(of)
	return p >= want-tol && p <= want+tol
}

func TestDistributionOverTwoThousandReferrals(t *testing.T) {
	const n = 2000
	c := count(t, New(99), n)
	owned := n - c.owner[""]

	shares := []struct {
		what      string
		got, of   int
		want, tol float64
	}{
		{"owned by the demo CBO", c.owner[OwnerOrganization], n, 80, 3},
		{"unowned", c.owner[""], n, 10, 2.5},
		{"owned by the other CBO", c.owner[OtherOrganization], n, 10, 2.5},
		{"owned: requested", c.ownedStatus[fhir.StatusRequested], owned, 49.4, 4},
		{"owned: accepted", c.ownedStatus[fhir.StatusAccepted], owned, 15, 3},
		{"owned: in-progress", c.ownedStatus[fhir.StatusInProgress], owned, 15, 3},
		{"owned: on-hold", c.ownedStatus[fhir.StatusOnHold], owned, 5, 2},
		{"owned: completed", c.ownedStatus[fhir.StatusCompleted], owned, 10, 2.5},
		{"owned: rejected, cancelled or failed",
			c.ownedStatus[fhir.StatusRejected] + c.ownedStatus[fhir.StatusCancelled] + c.ownedStatus[fhir.StatusFailed], owned, 5, 2},
		{"priority routine", c.priority["routine"], n, 70, 3.5},
		{"priority urgent", c.priority["urgent"], n, 20, 3},
		{"priority asap", c.priority["asap"], n, 10, 2.5},
		{"do not contact", c.doNotContact, n, 5, 2},
		{"no consent", c.noConsent, n, 15, 3},
		{"new patients (the rest return)", c.newPatients, n, 88, 3},
		{"English-speaking patients", c.english, c.newPatients, 70, 5},
		{"food insecurity", c.categories["food-insecurity"], n, 28, 4},
		{"with a Goal", c.withGoal, n, 40, 4},
		{"with two Conditions", c.twoConditions, n, 30, 4},
		{"with additional content", c.withInput, n, 5, 2},
	}
	for _, s := range shares {
		if !within(s.got, s.of, s.want, s.tol) {
			t.Errorf("%s: %d of %d (%.1f %%), want %.1f ± %.1f %%", s.what, s.got, s.of, 100*float64(s.got)/float64(s.of), s.want, s.tol)
		}
	}
	if r := c.status[fhir.StatusReceived]; r < 2 || r > 25 {
		t.Errorf("legacy status received: %d of %d, want about 1 in 200", r, n)
	}
	if c.unownedNotRequested != 0 {
		t.Errorf("%d unowned Tasks are not requested", c.unownedNotRequested)
	}
	if c.completedWithoutProc != 0 {
		t.Errorf("%d completed Tasks have no Procedure", c.completedWithoutProc)
	}
	if c.reasonMissing != 0 {
		t.Errorf("%d rejected/cancelled/on-hold/failed Tasks have no statusReason.text", c.reasonMissing)
	}
	for _, nd := range needs {
		if c.categories[nd.code] == 0 {
			t.Errorf("no referral for %s", nd.code)
		}
	}
}
