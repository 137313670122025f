package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func TestScopeEnforcement(t *testing.T) {
	v2 := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	v1 := fhirtest.New(t, fhirtest.Options{Referrals: -1, PermissionV1Only: true})
	// Each case: the scopes granted, then the expected status of
	// search Task, read Task, update Task, search ServiceRequest, create Procedure.
	for _, c := range []struct {
		s      *fhirtest.Server
		scopes string
		want   [5]int
	}{
		{v2, "user/Task.rs", [5]int{200, 200, 403, 403, 403}},
		{v2, "user/Task.r", [5]int{403, 200, 403, 403, 403}},
		{v2, "user/Task.rus user/Procedure.c", [5]int{200, 200, 200, 403, 201}},
		{v2, "user/*.rs", [5]int{200, 200, 403, 200, 403}},
		{v2, "user/*.cruds", [5]int{200, 200, 200, 200, 201}},
		{v2, "user/Task.read user/Task.write", [5]int{200, 200, 200, 403, 403}}, // v1 is accepted too
		{v2, "patient/Task.rs", [5]int{403, 403, 403, 403, 403}},                // not offered
		{v1, "user/Task.rus user/*.rs", [5]int{403, 403, 403, 403, 403}},        // v2 refused
		{v1, "user/Task.read", [5]int{200, 200, 403, 403, 403}},
		{v1, "user/*.read user/Task.write user/Procedure.write", [5]int{200, 200, 200, 200, 201}},
	} {
		t.Run(c.scopes, func(t *testing.T) {
			s := c.s
			id := newTask(s, fhir.StatusRequested)
			tok := token(t, s, "openid", c.scopes)
			full := token(t, s)
			if s == v1 {
				full = token(t, s, "user/*.*")
			}
			task, etag := readTask(t, s, full, id)
			task["status"] = fhir.StatusAccepted
			taskBody, _ := json.Marshal(task)
			proc := []byte(`{"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/x"}}`)
			var got [5]int
			for i, r := range []struct {
				method, path string
				body         []byte
			}{
				{http.MethodGet, "/Task", nil},
				{http.MethodGet, "/Task/" + id, nil},
				{http.MethodPut, "/Task/" + id, taskBody},
				{http.MethodGet, "/ServiceRequest", nil},
				{http.MethodPost, "/Procedure", proc},
			} {
				resp, body := do(t, s, tok, r.method, r.path, r.body, "If-Match", etag)
				got[i] = resp.StatusCode
				if resp.StatusCode == http.StatusForbidden {
					outcome(t, body)
				}
			}
			if got != c.want {
				t.Errorf("statuses %v, want %v", got, c.want)
			}
		})
	}
}

func TestV1OnlyGrantsV1(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, PermissionV1Only: true})
	tr := newApp(t, s).signIn("openid offline_access user/Task.rus user/Task.read user/Task.write")
	if tr.Scope != "openid offline_access user/Task.read user/Task.write" {
		t.Errorf("granted %q, want the v1 scopes only", tr.Scope)
	}
}
