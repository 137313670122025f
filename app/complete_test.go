package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// acceptedReferral is a referral the case worker has accepted.
func acceptedReferral(t *testing.T, w *world, src app.Source) app.Referral {
	t.Helper()
	r := w.firstWithStatus("requested")
	if out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", ""); err != nil || !out.Sent {
		t.Fatalf("accept: %+v, %v", out, err)
	}
	return r
}

// procedures are the Procedures a Task's outputs point at, as the platform
// has them.
func procedures(t *testing.T, w *world, task map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	outputs, _ := task["output"].([]any)
	for _, o := range outputs {
		ref, _ := o.(map[string]any)["valueReference"].(map[string]any)
		typ, id, ok := fhir.SplitReference(fmtRef(ref))
		if !ok || typ != "Procedure" {
			continue
		}
		raw, ok := w.server.Resource("Procedure", id)
		if !ok {
			t.Fatalf("the Task's output points at Procedure/%s, which the platform does not have", id)
		}
		var p map[string]any
		json.Unmarshal(raw, &p)
		out = append(out, p)
	}
	return out
}

func fmtRef(ref map[string]any) string {
	s, _ := ref["reference"].(string)
	return s
}

// Completing posts one Procedure per service delivered (the IG's Direct
// Referral Light steps), then completes the Task with outputs pointing at
// them, changing nothing else on the platform's copy.
func TestCompletionPostsProceduresAndAppendsOutputs(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := acceptedReferral(t, w, src)
	before := w.platformTask(r.TaskID)
	food := app.Service{System: fhir.SystemSNOMED, Code: "710925007", Display: "Provision of food"}
	pantry := app.Service{System: fhir.SystemSNOMED, Code: "464021000124109", Display: "Food pantry application assistance"}
	out, err := w.app.Complete(w.ctx, src.ID, r.TaskID, app.Completion{Services: []app.Service{food, pantry}, Performed: "2026-11-03"})
	if err != nil || !out.Sent {
		t.Fatalf("Complete: %+v (%s), %v", out, out.Message(), err)
	}
	after := w.platformTask(r.TaskID)
	if after["status"] != "completed" {
		t.Errorf("the platform's Task is %v; want completed", after["status"])
	}
	for _, k := range []string{"focus", "for", "owner", "requester", "input", "note", "code", "authoredOn"} {
		if fmtJSON(before[k]) != fmtJSON(after[k]) {
			t.Errorf("%s changed: %s -> %s", k, fmtJSON(before[k]), fmtJSON(after[k]))
		}
	}
	ps := procedures(t, w, after)
	if len(ps) != 2 {
		t.Fatalf("the Task's outputs point at %d Procedures; want 2: %s", len(ps), fmtJSON(after["output"]))
	}
	for i, p := range ps {
		want := []string{`"status":"completed"`, `"performedDateTime":"2026-11-03"`, fmtRef(after["focus"].(map[string]any)),
			fmtRef(after["for"].(map[string]any)), []app.Service{food, pantry}[i].Code, fhir.SystemSDOHTemporary}
		for _, s := range want {
			if !strings.Contains(fmtJSON(p), s) {
				t.Errorf("Procedure %d lacks %s: %s", i, s, fmtJSON(p))
			}
		}
	}
}

// A completion whose Task update is lost after its Procedures were posted
// posts none of them again when it is sent once more.
func TestACompletionInterruptedPostsEachProcedureOnce(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := acceptedReferral(t, w, src)
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPut {
			http.Error(rw, "the connection dropped", http.StatusBadGateway)
			return true
		}
		return false
	})
	out, err := w.app.Complete(w.ctx, src.ID, r.TaskID, app.Completion{})
	if err != nil || out.Sent {
		t.Fatalf("a completion whose update failed: %+v, %v; want it queued", out, err)
	}
	w.server.SetFault(nil)
	w.server.ResetRequests()
	rep := w.sync(src.ID)
	if rep.Sent != 1 {
		t.Fatalf("the next sync sent %d changes; want the completion", rep.Sent)
	}
	posts := 0
	for _, req := range w.server.Requests() {
		if req.Method == http.MethodPost && strings.HasSuffix(req.Path, "/Procedure") {
			posts++
		}
	}
	after := w.platformTask(r.TaskID)
	if ps := procedures(t, w, after); len(ps) != 1 || after["status"] != "completed" {
		t.Errorf("after the retry: %d Procedures, status %v; want one, completed", len(ps), after["status"])
	}
	if posts > 1 {
		t.Errorf("the retry posted %d Procedures", posts)
	}
}

// A completion that reports the person's program enrollment posts the
// IG's enrollment Observation and points at it from the Task's outputs.
func TestCompletionReportsEnrollment(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := acceptedReferral(t, w, src)
	out, err := w.app.Complete(w.ctx, src.ID, r.TaskID, app.Completion{Enrollment: "waitlist"})
	if err != nil || !out.Sent {
		t.Fatalf("Complete: %+v, %v", out, err)
	}
	task := w.platformTask(r.TaskID)
	found := false
	for _, o := range task["output"].([]any) {
		ref, _ := o.(map[string]any)["valueReference"].(map[string]any)
		typ, id, ok := fhir.SplitReference(fmtRef(ref))
		if !ok || typ != "Observation" {
			continue
		}
		raw, _ := w.server.Resource("Observation", id)
		if s := string(raw); strings.Contains(s, `"waitlist"`) && strings.Contains(s, "program-enrollment") &&
			strings.Contains(fmtJSON(o), fhir.CodeAdditionalContent) {
			found = true
		}
	}
	if !found {
		t.Errorf("no enrollment Observation among the outputs: %s", fmtJSON(task["output"]))
	}
	if _, err := w.app.Complete(w.ctx, src.ID, r.TaskID, app.Completion{Enrollment: "maybe"}); app.KindOf(err) != app.KindInvalid {
		t.Errorf("an unknown enrollment: %v", err)
	}
}

// A completed referral's view lists what was reported: each service, with
// the Procedure posted for it.
func TestTheViewListsOutcomesSent(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := acceptedReferral(t, w, src)
	if out, err := w.app.Complete(w.ctx, src.ID, r.TaskID, app.Completion{Performed: "2026-11-03"}); err != nil || !out.Sent {
		t.Fatalf("Complete: %+v, %v", out, err)
	}
	w.sync(src.ID) // the Procedure is fetched with the Task
	d, err := w.app.Referral(w.ctx, src.ID, r.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.OutcomesSent) != 1 || !strings.HasPrefix(d.OutcomesSent[0].Ref, "Procedure/") || d.OutcomesSent[0].Text == d.OutcomesSent[0].Ref || d.OutcomesSent[0].Date != "2026-11-03" {
		t.Errorf("outcomes in the view: %+v; want the service and its Procedure", d.OutcomesSent)
	}
}
