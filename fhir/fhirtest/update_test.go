package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// readTask GETs Task/id and returns it decoded, with its ETag.
func readTask(t *testing.T, s *fhirtest.Server, tok, id string) (map[string]any, string) {
	t.Helper()
	resp, body := do(t, s, tok, http.MethodGet, "/Task/"+id, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET Task/%s: %d %s", id, resp.StatusCode, body)
	}
	return object(t, body), resp.Header.Get("ETag")
}

func putTask(t *testing.T, s *fhirtest.Server, tok string, task map[string]any, ifMatch string) (*http.Response, []byte) {
	t.Helper()
	body, err := json.Marshal(task)
	if err != nil {
		t.Fatal(err)
	}
	var h []string
	if ifMatch != "" {
		h = []string{"If-Match", ifMatch}
	}
	return do(t, s, tok, http.MethodPut, "/Task/"+task["id"].(string), body, h...)
}

// newTask adds a referral the demo CBO owns, in status, and returns its id.
func newTask(s *fhirtest.Server, status string) string {
	return s.AddReferral(referralgen.Spec{Status: status, Owner: referralgen.OwnerOrganization})
}

func TestUpdateSuccess(t *testing.T) {
	for _, uuids := range []bool{false, true} {
		s := fhirtest.New(t, fhirtest.Options{Referrals: -1, VersionUUIDs: uuids})
		tok := token(t, s)
		id := newTask(s, fhir.StatusRequested)
		task, etag := readTask(t, s, tok, id)
		oldMeta := task["meta"].(map[string]any)
		task["status"] = fhir.StatusAccepted
		task["output"] = []any{
			map[string]any{"type": map[string]any{"text": "contact"}, "valueString": "Called <María> & left a message"},
			map[string]any{"type": map[string]any{"text": "distance"}, "valueDecimal": json.Number("1.50")},
		}
		resp, body := putTask(t, s, tok, task, etag)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT: %d %s", resp.StatusCode, body)
		}
		got := object(t, body)
		meta := got["meta"].(map[string]any)
		if meta["versionId"] == oldMeta["versionId"] || meta["lastUpdated"] == oldMeta["lastUpdated"] {
			t.Errorf("meta = %v, want a new version after %v", meta, oldMeta)
		}
		if uuids != (len(meta["versionId"].(string)) == 36) {
			t.Errorf("VersionUUIDs=%v: versionId %q", uuids, meta["versionId"])
		}
		if resp.Header.Get("ETag") != `W/"`+meta["versionId"].(string)+`"` || resp.Header.Get("Location") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("headers: ETag %q Location %q Last-Modified %q", resp.Header.Get("ETag"), resp.Header.Get("Location"), resp.Header.Get("Last-Modified"))
		}
		// Everything the client sent comes back, and only meta changed.
		delete(got, "meta")
		delete(task, "meta")
		sent := object(t, must(json.Marshal(task)))
		if !reflect.DeepEqual(got, sent) {
			t.Errorf("stored Task differs from the one sent:\n got %v\nsent %v", got, sent)
		}
		raw, _ := s.Resource("Task", id)
		if !strings.Contains(string(raw), `"valueDecimal":1.50`) {
			t.Errorf("the decimal 1.50 was not kept as written: %s", raw)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestUpdateIfMatch(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	strict := fhirtest.New(t, fhirtest.Options{Referrals: -1, RequireIfMatch: true})
	for _, c := range []struct {
		name    string
		s       *fhirtest.Server
		ifMatch func(etag string) string
		want    int
	}{
		{"weak", s, func(e string) string { return e }, http.StatusOK},
		{"strong", s, func(e string) string { return strings.TrimPrefix(e, "W/") }, http.StatusOK},
		{"unquoted", s, func(e string) string { return strings.Trim(strings.TrimPrefix(e, "W/"), `"`) }, http.StatusBadRequest},
		{"stale", s, func(string) string { return `W/"999"` }, http.StatusPreconditionFailed},
		{"missing, allowed", s, func(string) string { return "" }, http.StatusOK},
		{"missing, required", strict, func(string) string { return "" }, http.StatusPreconditionRequired},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := token(t, c.s)
			id := newTask(c.s, fhir.StatusRequested)
			task, etag := readTask(t, c.s, tok, id)
			task["status"] = fhir.StatusAccepted
			resp, body := putTask(t, c.s, tok, task, c.ifMatch(etag))
			if resp.StatusCode != c.want {
				t.Fatalf("PUT: %d %s, want %d", resp.StatusCode, body, c.want)
			}
			if c.want >= 400 {
				outcome(t, body)
			}
		})
	}
}

func TestUpdateConflictWithRequester(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	id := newTask(s, fhir.StatusRequested)
	task, etag := readTask(t, s, tok, id)
	if err := s.UpdateAsRequester("Task", id, func(m map[string]any) {
		m["note"] = []any{map[string]any{"text": "Please call before noon."}}
	}); err != nil {
		t.Fatal(err)
	}
	task["status"] = fhir.StatusAccepted
	if resp, body := putTask(t, s, tok, task, etag); resp.StatusCode != http.StatusPreconditionFailed {
		t.Fatalf("PUT over the requester's change: %d %s, want 412", resp.StatusCode, body)
	}
	raw, _ := s.Resource("Task", id)
	if !strings.Contains(string(raw), "Please call before noon.") {
		t.Error("the requester's note was lost")
	}
}

func TestUpdateRules(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	for _, c := range []struct {
		name   string
		status string // the Task's status before
		owner  string // the Task's owner; "" = the demo CBO
		edit   func(map[string]any)
		want   int
		says   string
	}{
		{"note is the requester's", fhir.StatusRequested, "", func(m map[string]any) {
			m["status"] = fhir.StatusAccepted
			m["note"] = []any{map[string]any{"text": "ours"}}
		}, http.StatusForbidden, "Task.note"},
		{"priority and focus", fhir.StatusAccepted, "", func(m map[string]any) {
			m["priority"] = "stat"
			m["focus"] = map[string]any{"reference": "ServiceRequest/other"}
		}, http.StatusForbidden, "Task.focus, Task.priority"},
		{"requested to completed", fhir.StatusRequested, "", func(m map[string]any) { m["status"] = fhir.StatusCompleted }, http.StatusUnprocessableEntity, "completed"},
		{"completed is final", fhir.StatusCompleted, "", func(m map[string]any) { m["status"] = fhir.StatusInProgress }, http.StatusUnprocessableEntity, "in-progress"},
		{"received is never written", fhir.StatusRequested, "", func(m map[string]any) { m["status"] = fhir.StatusReceived }, http.StatusUnprocessableEntity, "received"},
		{"entered-in-error is the requester's", fhir.StatusAccepted, "", func(m map[string]any) { m["status"] = fhir.StatusEnteredInError }, http.StatusUnprocessableEntity, "entered-in-error"},
		{"another CBO's Task", fhir.StatusRequested, referralgen.OtherOrganization, func(m map[string]any) { m["status"] = fhir.StatusAccepted }, http.StatusForbidden, "owner"},
		{"claim unassigned work", fhir.StatusRequested, referralgen.OwnerNone, func(m map[string]any) {
			m["status"] = fhir.StatusAccepted
			m["owner"] = map[string]any{"reference": referralgen.OwnerOrganization}
		}, http.StatusOK, ""},
		{"unassigned, not claimed", fhir.StatusRequested, referralgen.OwnerNone, func(m map[string]any) { m["status"] = fhir.StatusAccepted }, http.StatusForbidden, "owner"},
		{"same status, new output", fhir.StatusInProgress, "", func(m map[string]any) {
			m["output"] = []any{map[string]any{"type": map[string]any{"text": "x"}, "valueString": "y"}}
			m["statusReason"] = map[string]any{"text": "progress"}
		}, http.StatusOK, ""},
		{"hold with a reason", fhir.StatusInProgress, "", func(m map[string]any) {
			m["status"] = fhir.StatusOnHold
			m["statusReason"] = map[string]any{"text": "waiting for papers"}
		}, http.StatusOK, ""},
		{"body id differs", fhir.StatusRequested, "", func(m map[string]any) { m["id"] = "task-99999" }, http.StatusBadRequest, "id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			owner := c.owner
			if owner == "" {
				owner = referralgen.OwnerOrganization
			}
			id := s.AddReferral(referralgen.Spec{Status: c.status, Owner: owner})
			task, etag := readTask(t, s, tok, id)
			c.edit(task)
			body, _ := json.Marshal(task)
			resp, out := do(t, s, tok, http.MethodPut, "/Task/"+id, body, "If-Match", etag)
			if resp.StatusCode != c.want {
				t.Fatalf("PUT: %d %s, want %d", resp.StatusCode, out, c.want)
			}
			if c.want >= 400 {
				if text := outcome(t, out).Text(); !strings.Contains(text, c.says) {
					t.Errorf("outcome %q does not mention %q", text, c.says)
				}
				if _, after := readTask(t, s, tok, id); after != etag {
					t.Errorf("a refused update changed the version: %s -> %s", etag, after)
				}
			}
		})
	}
}

func TestUpdateGoneAndMissing(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	id := newTask(s, fhir.StatusRequested)
	task, etag := readTask(t, s, tok, id)
	s.Delete("Task", id)
	if resp, _ := do(t, s, tok, http.MethodGet, "/Task/"+id, nil); resp.StatusCode != http.StatusGone {
		t.Errorf("GET deleted: %d, want 410", resp.StatusCode)
	}
	task["status"] = fhir.StatusAccepted
	if resp, _ := putTask(t, s, tok, task, etag); resp.StatusCode != http.StatusGone {
		t.Errorf("PUT deleted: %d, want 410", resp.StatusCode)
	}
	if resp, body := do(t, s, tok, http.MethodGet, "/Task/task-77777", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET unknown: %d, want 404", resp.StatusCode)
	} else {
		outcome(t, body)
	}
}

func TestCreateProcedure(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	proc := []byte(`{"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/pat-00001"},"basedOn":[{"reference":"ServiceRequest/sr-00001"}]}`)
	resp, body := do(t, s, tok, http.MethodPost, "/Procedure", proc)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") != `W/"1"` || !strings.HasPrefix(resp.Header.Get("Location"), s.FHIRBase()+"/Procedure/") {
		t.Fatalf("POST Procedure: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	created, _ := fhir.ParseResource(body)
	b := search(t, s, tok, "/Procedure?based-on=ServiceRequest/sr-00001")
	if got := ids(t, b, "match"); len(got) != 1 || got[0] != created.Ref() {
		t.Errorf("Procedure?based-on = %v, want [%s]", got, created.Ref())
	}
	// If-None-Exist makes a retry return the existing Procedure.
	resp, body = do(t, s, tok, http.MethodPost, "/Procedure", proc, "If-None-Exist", "based-on=ServiceRequest/sr-00001")
	if again, _ := fhir.ParseResource(body); resp.StatusCode != http.StatusOK || again.ID != created.ID {
		t.Errorf("conditional create: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, s, tok, http.MethodPost, "/Procedure", []byte(`{"resourceType":"Procedure"}`)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("Procedure without status and subject: %d, want 422", resp.StatusCode)
	}
	if resp, _ := do(t, s, tok, http.MethodPost, "/Task", []byte(`{"resourceType":"Task"}`)); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST Task: %d, want 405", resp.StatusCode)
	}
}
