package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// An edit of the requester's own elements changes only that element (and
// meta): status, statusReason and output, the recipient's, stay byte for
// byte, so a client can rebase a queued change onto it: its stale PUT is
// 412, and the same change made on the new version is accepted and keeps
// the requester's edit.
func TestEditTaskAsRequester(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	for _, c := range []struct {
		what    fhirtest.RequesterEdit
		element string
	}{
		{fhirtest.EditNote, "note"},
		{fhirtest.EditDescription, "description"},
		{fhirtest.EditTag, "meta"},
	} {
		t.Run(string(c.what), func(t *testing.T) {
			// A Task with a statusReason and an output (a completed one the
			// requester reopened), so that there is something of the
			// recipient's to keep.
			id := newTask(s, fhir.StatusCompleted)
			if err := s.SetStatusAsRequester(id, fhir.StatusInProgress, "resumed"); err != nil {
				t.Fatal(err)
			}
			queued, etag := readTask(t, s, tok, id)
			before, _ := s.Resource("Task", id)

			if err := s.EditTaskAsRequester(id, c.what); err != nil {
				t.Fatal(err)
			}
			after, _ := s.Resource("Task", id)
			changed, err := fhirtest.ChangedElements(before, after, "meta")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{c.element}
			if c.element == "meta" {
				want = nil
			}
			if !slices.Equal(changed, want) {
				t.Fatalf("EditTaskAsRequester(%s) changed %v, want only %v", c.what, changed, want)
			}
			for _, e := range []string{"status", "statusReason", "output"} {
				if b, a := object(t, before)[e], object(t, after)[e]; !jsonEqual(b, a) {
					t.Errorf("%s changed from %v to %v", e, b, a)
				}
			}
			if c.what == fhirtest.EditTag && !strings.Contains(string(after), fhirtest.RequesterTagSystem) {
				t.Errorf("no meta.tag of %s in %s", fhirtest.RequesterTagSystem, after)
			}

			queued["status"] = fhir.StatusOnHold
			queued["statusReason"] = map[string]any{"text": "waiting for papers"}
			if resp, body := putTask(t, s, tok, queued, etag); resp.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("the queued PUT on the old version: %d %s, want 412", resp.StatusCode, body)
			}
			rebased, etag2 := readTask(t, s, tok, id)
			rebased["status"], rebased["statusReason"] = queued["status"], queued["statusReason"]
			resp, body := putTask(t, s, tok, rebased, etag2)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("the rebased PUT: %d %s, want 200: the requester's edit is not the recipient's to undo", resp.StatusCode, body)
			}
			if got := object(t, body); c.element != "meta" && !jsonEqual(got[c.element], object(t, after)[c.element]) {
				t.Errorf("the rebased update lost the requester's %s", c.element)
			}
		})
	}
	// Two edits are two different changes.
	id := newTask(s, fhir.StatusRequested)
	s.EditTaskAsRequester(id, fhirtest.EditDescription)
	first, _ := s.Resource("Task", id)
	s.EditTaskAsRequester(id, fhirtest.EditDescription)
	second, _ := s.Resource("Task", id)
	if changed, _ := fhirtest.ChangedElements(first, second, "meta"); !slices.Equal(changed, []string{"description"}) {
		t.Errorf("a second description edit changed %v, want description", changed)
	}
	if err := s.EditTaskAsRequester(id, "status"); err == nil {
		t.Error("EditTaskAsRequester(status) succeeded; it edits only note, description or meta.tag")
	}
	if err := s.EditTaskAsRequester("task-99999", fhirtest.EditNote); err == nil {
		t.Error("EditTaskAsRequester of an unknown Task succeeded")
	}
}

// A requester's cancellation is a real conflict: the queued change cannot
// be rebased, since a cancelled Task moves on no further.
func TestSetStatusAsRequester(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	id := newTask(s, fhir.StatusAccepted)
	queued, etag := readTask(t, s, tok, id)
	if err := s.SetStatusAsRequester(id, fhir.StatusCancelled, "Patient moved out of the area"); err != nil {
		t.Fatal(err)
	}
	now, etag2 := readTask(t, s, tok, id)
	if now["status"] != fhir.StatusCancelled || now["statusReason"].(map[string]any)["text"] != "Patient moved out of the area" || etag2 == etag {
		t.Fatalf("after the cancellation: %v %v %s", now["status"], now["statusReason"], etag2)
	}
	queued["status"] = fhir.StatusInProgress
	if resp, _ := putTask(t, s, tok, queued, etag); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("the queued PUT: %d, want 412", resp.StatusCode)
	}
	now["status"] = fhir.StatusInProgress
	if resp, body := putTask(t, s, tok, now, etag2); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the same change on the cancelled Task: %d %s, want 422", resp.StatusCode, body)
	}
	if err := s.SetStatusAsRequester(id, fhir.StatusEnteredInError, ""); err != nil {
		t.Fatal(err)
	}
	if now, _ := readTask(t, s, tok, id); now["status"] != fhir.StatusEnteredInError || now["statusReason"] != nil {
		t.Errorf("entered-in-error without a reason: %v %v", now["status"], now["statusReason"])
	}
}

func jsonEqual(a, b any) bool { return string(must(json.Marshal(a))) == string(must(json.Marshal(b))) }
