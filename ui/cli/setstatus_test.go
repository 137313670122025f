package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// procedureRefs are the Procedures a Task's outputs point at, "Procedure/id".
func procedureRefs(task map[string]any) []string {
	var out []string
	outputs, _ := task["output"].([]any)
	for _, o := range outputs {
		ref, _ := o.(map[string]any)["valueReference"].(map[string]any)
		if s, _ := ref["reference"].(string); strings.HasPrefix(s, "Procedure/") {
			out = append(out, s)
		}
	}
	return out
}

// serviceCode is the first code of a Procedure's or ServiceRequest's code.
func serviceCode(r map[string]any) string {
	code, _ := r["code"].(map[string]any)
	codings, _ := code["coding"].([]any)
	if len(codings) == 0 {
		return ""
	}
	c, _ := codings[0].(map[string]any)
	system, _ := c["system"].(string)
	value, _ := c["code"].(string)
	return system + "|" + value
}

// A completion with two services posts a Procedure for each, which the
// platform's Task then points at, and prints them with the Task's version.
func TestCompletionPostsAProcedurePerService(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	id := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "accepted"})
	env := connected(t, p)

	code, out, errOut := run(t, env, "set-status", id, "completed", "--service", "710925007",
		"--service", "http://snomed.info/sct|467771000124109", "--performed", "2026-11-03", "--enrolled", "yes")
	if code != 0 || !strings.Contains(out, "now completed") {
		t.Fatalf("set-status completed: exit %d, out %q, err %q", code, out, errOut)
	}
	task := platformCopy(t, p, "Task", id)
	refs := procedureRefs(task)
	if task["status"] != "completed" || len(refs) != 2 {
		t.Fatalf("the platform's Task is %v with outputs %s; want completed, pointing at 2 Procedures", task["status"], fmtJSON(task["output"]))
	}
	var codes []string
	for _, ref := range refs {
		if !strings.Contains(out, "Posted "+ref+"\n") {
			t.Errorf("the output does not name %s, which the platform's Task points at:\n%s", ref, out)
		}
		codes = append(codes, serviceCode(platformCopy(t, p, "Procedure", strings.TrimPrefix(ref, "Procedure/"))))
	}
	if want := "http://snomed.info/sct|710925007 http://snomed.info/sct|467771000124109"; strings.Join(codes, " ") != want {
		t.Errorf("the Procedures posted are for %q; want %q (a bare code is SNOMED CT)", codes, want)
	}
	version, _ := task["meta"].(map[string]any)["versionId"].(string)
	if !strings.Contains(out, "(version "+version+")") {
		t.Errorf("the output does not give the Task's new version %s:\n%s", version, out)
	}
}

// Without --service, the Procedure posted is for the service the
// ServiceRequest asked for.
func TestCompletionWithoutServiceIsForTheServiceRequested(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	id := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "in-progress"})
	env := connected(t, p)

	if code, out, errOut := run(t, env, "set-status", id, "completed"); code != 0 {
		t.Fatalf("set-status completed: exit %d, out %q, err %q", code, out, errOut)
	}
	task := platformCopy(t, p, "Task", id)
	refs := procedureRefs(task)
	if len(refs) != 1 {
		t.Fatalf("the platform's Task points at %d Procedures; want 1: %s", len(refs), fmtJSON(task["output"]))
	}
	focus, _ := task["focus"].(map[string]any)["reference"].(string)
	requested := serviceCode(platformCopy(t, p, "ServiceRequest", strings.TrimPrefix(focus, "ServiceRequest/")))
	if got := serviceCode(platformCopy(t, p, "Procedure", strings.TrimPrefix(refs[0], "Procedure/"))); got == "|" || got != requested {
		t.Errorf("the Procedure is for %q; want the ServiceRequest's %q", got, requested)
	}
}

// A decline at capacity puts the IG's no-capacity code, with the case
// worker's words, in the platform's Task statusReason.
func TestDeclineAtCapacityCarriesTheCode(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	id := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested"})
	env := connected(t, p)

	const why = "Full until March"
	if code, out, errOut := run(t, env, "set-status", id, "rejected", "--at-capacity", "--reason", why); code != 0 || !strings.Contains(out, "now declined") {
		t.Fatalf("set-status rejected --at-capacity: exit %d, out %q, err %q", code, out, errOut)
	}
	task := platformCopy(t, p, "Task", id)
	reason := fmtJSON(task["statusReason"])
	if task["status"] != "rejected" || !strings.Contains(reason, `"code":"no-capacity"`) || !strings.Contains(reason, why) {
		t.Errorf("the platform's Task is %v, statusReason %s; want rejected with the no-capacity code and %q", task["status"], reason, why)
	}
}

// Completion flags with another status, and values they do not take, are
// refused before anything is sent.
func TestSetStatusRefusesMisplacedFlags(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	id := p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested"})
	env := connected(t, p)
	for _, tt := range []struct {
		args []string
		say  string
	}{
		{[]string{"accepted", "--service", "710925007"}, "--service goes with completed"},
		{[]string{"accepted", "--at-capacity"}, "--at-capacity goes with rejected"},
		{[]string{"completed", "--enrolled", "maybe"}, "say yes, no or waitlist"},
		{[]string{"completed", "--performed", "3 Nov"}, "give it as YYYY-MM-DD"},
		{[]string{"completed", "--service", "http://snomed.info/sct|"}, "SYSTEM|CODE"},
	} {
		code, out, errOut := run(t, env, append([]string{"set-status", id}, tt.args...)...)
		checkOneLine(t, strings.Join(tt.args, " "), code, out, errOut, 1, tt.say)
	}
	if task := platformCopy(t, p, "Task", id); task["status"] != "requested" {
		t.Errorf("a refused command line changed the platform's Task to %v", task["status"])
	}
}
