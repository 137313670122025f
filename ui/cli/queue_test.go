package cli_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// unavailable makes the platform's FHIR API answer 503, as a platform
// down for maintenance does; sign-in pages still answer.
func unavailable(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/fhir/") {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return true
	}
	return false
}

// A change made while the platform is down is listed in the queue, with
// the count waiting, and the referral shows the status it will have; once
// sent, only a change that met a conflict is left listed.
func TestQueueListsWaitingAndConflictingChanges(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	waits := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested"})
	conflicts := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested"})
	env := connected(t, p)

	p.SetFault(unavailable)
	for _, id := range []string{waits, conflicts} {
		if code, out, errOut := run(t, env, "set-status", id, "accepted"); code != 1 || !strings.Contains(errOut, "saved here and goes out by itself") {
			t.Fatalf("accepting %s while the platform is down: exit %d, out %q, err %q; want it kept, not sent", id, code, out, errOut)
		}
	}
	code, out, errOut := run(t, env, "queue")
	if code != 0 || !strings.Contains(out, ": 2 changes waiting to be sent") || !rowOf(out, waits, "New → Accepted", "pending") {
		t.Fatalf("queue while the platform is down: exit %d, err %q; want both changes listed, 2 waiting:\n%s", code, errOut, out)
	}
	if code, out, _ = run(t, env, "show", waits); code != 0 || !strings.Contains(out, "Status: New → will be accepted when sent") {
		t.Errorf("show of a referral with a change waiting: exit %d; want the status it will have:\n%s", code, out)
	}

	if err := p.SetStatusAsRequester(conflicts, "cancelled", "The person moved away"); err != nil {
		t.Fatal(err)
	}
	p.SetFault(nil)
	if code, out, errOut = run(t, env, "sync"); code != 0 {
		t.Fatalf("sync: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, errOut = run(t, env, "queue")
	if code != 0 || !strings.Contains(out, ": 0 changes waiting to be sent, 1 not sent after a conflict") ||
		!rowOf(out, conflicts, "New → Accepted", "conflict") || strings.Contains(out, waits) {
		t.Errorf("queue after the sync: exit %d, err %q; want only the conflicting change listed:\n%s", code, errOut, out)
	}
}

// rowOf reports whether out has a line about task that says each of want.
func rowOf(out, task string, want ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, task) {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			return true
		}
	}
	return false
}
