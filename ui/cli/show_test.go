package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// inputOfType is the reference of a Task input pointing at a resource of typ.
func inputOfType(task map[string]any, typ string) string {
	inputs, _ := task["input"].([]any)
	for _, in := range inputs {
		ref, _ := in.(map[string]any)["valueReference"].(map[string]any)
		if s, _ := ref["reference"].(string); strings.HasPrefix(s, typ+"/") {
			return s
		}
	}
	return ""
}

// show lists what the requester sent with a referral, naming what the
// platform no longer has as missing, and after a completion what it sent.
func TestShowListsSentWithAndOutcomes(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1, AdditionalContent: true})
	id := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "accepted", AdditionalContent: referralgen.ContentAll})
	goal := inputOfType(platformCopy(t, p, "Task", id), "Goal")
	if goal == "" {
		t.Fatal("the content-rich referral has no Goal among its inputs: the test proves nothing")
	}
	p.Delete("Goal", strings.TrimPrefix(goal, "Goal/"))
	env := connected(t, p)

	code, out, errOut := run(t, env, "show", id)
	_, sent, found := strings.Cut(out, "Sent with the referral\n")
	if code != 0 || !found {
		t.Fatalf("show of a content-rich referral: exit %d, err %q; want what was sent with it:\n%s", code, errOut, out)
	}
	sent, _, _ = strings.Cut(sent, "\n\n")
	for _, kind := range []string{"Screening answers: ", "Observation or result: ", "Document: "} {
		if !strings.Contains("\n"+sent, "\n  "+kind) {
			t.Errorf("what was sent with the referral lists no %q:\n%s", kind, sent)
		}
	}
	if !rowOf(sent, "Goal", "missing") {
		t.Errorf("the Goal the platform no longer has is not named as missing:\n%s", sent)
	}
	if strings.Contains(out, "Outcomes sent") {
		t.Errorf("outcomes listed before any were sent:\n%s", out)
	}

	if code, out, errOut = run(t, env, "set-status", id, "completed", "--service", "710925007"); code != 0 {
		t.Fatalf("set-status completed: exit %d, out %q, err %q", code, out, errOut)
	}
	refs := procedureRefs(platformCopy(t, p, "Task", id))
	code, out, _ = run(t, env, "show", id)
	if code != 0 || len(refs) != 1 || !strings.Contains(out, "Outcomes sent\n  Service delivered: "+refs[0]+"\n") {
		t.Errorf("show after completion: exit %d; want the Procedure the platform's Task points at (%v) listed as an outcome:\n%s", code, refs, out)
	}
}
