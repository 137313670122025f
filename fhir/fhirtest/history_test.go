package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// historyOf GETs Task/id/_history and returns the Bundle, failing unless 200.
func historyOf(t *testing.T, s *fhirtest.Server, tok, id string) fhir.Bundle {
	t.Helper()
	var b fhir.Bundle
	if err := json.Unmarshal(mustRead(t, s, tok, "Task/"+id+"/_history"), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// A client that queued a change reads the version it started from (vread)
// and every version since (history, newest first), to tell the
// requester's edits from its own.
func TestTaskVreadAndHistory(t *testing.T) {
	for _, uuids := range []bool{false, true} {
		s := fhirtest.New(t, fhirtest.Options{Referrals: -1, VersionUUIDs: uuids})
		tok := token(t, s)
		id := newTask(s, fhir.StatusRequested)
		v1, etag1 := readTask(t, s, tok, id)
		if err := s.EditTaskAsRequester(id, fhirtest.EditNote); err != nil {
			t.Fatal(err)
		}
		v2, etag2 := readTask(t, s, tok, id)
		v2["status"] = fhir.StatusAccepted
		if resp, body := putTask(t, s, tok, v2, etag2); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT: %d %s", resp.StatusCode, body)
		}
		_, etag3 := readTask(t, s, tok, id)
		vid := func(etag string) string { return etag[3 : len(etag)-1] }

		// vread of the first version returns it as it was.
		resp, body := do(t, s, tok, http.MethodGet, "/Task/"+id+"/_history/"+vid(etag1), nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != etag1 {
			t.Fatalf("uuids=%v: vread of version 1: %d ETag %q, want 200 %s", uuids, resp.StatusCode, resp.Header.Get("ETag"), etag1)
		}
		if old := object(t, body); old["status"] != fhir.StatusRequested || len(listOf(old["note"])) != len(listOf(v1["note"])) {
			t.Errorf("uuids=%v: vread gave %v, not version 1", uuids, old)
		}
		if resp, body := do(t, s, tok, http.MethodGet, "/Task/"+id+"/_history/no-such-version", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("uuids=%v: vread of an unknown version: %d, want 404", uuids, resp.StatusCode)
		} else {
			outcome(t, body)
		}

		b := historyOf(t, s, tok, id)
		if b.Type != "history" || b.Total == nil || *b.Total != 3 || len(b.Entry) != 3 {
			t.Fatalf("uuids=%v: history type %q total %v entries %d, want a history of 3", uuids, b.Type, b.Total, len(b.Entry))
		}
		var etags, methods []string
		for _, e := range b.Entry {
			etags = append(etags, e.Response.Etag)
			methods = append(methods, e.Request.Method)
			if r, err := fhir.ParseResource(e.Resource); err != nil || `W/"`+r.Meta.VersionID+`"` != e.Response.Etag {
				t.Errorf("uuids=%v: entry %s holds %s (%v)", uuids, e.Response.Etag, e.Resource, err)
			}
		}
		if want := []string{etag3, etag2, etag1}; !slices.Equal(etags, want) {
			t.Errorf("uuids=%v: history order %v, want newest first %v", uuids, etags, want)
		}
		if want := []string{"PUT", "PUT", "POST"}; !slices.Equal(methods, want) {
			t.Errorf("uuids=%v: methods %v, want %v", uuids, methods, want)
		}
	}
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// A deleted Task keeps its history: the deletion is the newest entry,
// vread of it is 410 as a read of the Task is, and older versions stay
// readable. History is read permission, and works in a batch.
func TestHistoryOfDeletedTaskAndScopes(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	id := newTask(s, fhir.StatusRequested)
	s.Delete("Task", id)
	b := historyOf(t, s, tok, id)
	if len(b.Entry) != 2 || b.Entry[0].Request.Method != http.MethodDelete || len(b.Entry[0].Resource) != 0 {
		t.Fatalf("history of a deleted Task: %+v, want the deletion first, without a resource", b.Entry)
	}
	gone := b.Entry[0].Response.Etag
	if resp, _ := do(t, s, tok, http.MethodGet, "/Task/"+id+"/_history/"+gone[3:len(gone)-1], nil); resp.StatusCode != http.StatusGone {
		t.Errorf("vread of the deletion: %d, want 410", resp.StatusCode)
	}
	if resp, _ := do(t, s, tok, http.MethodGet, "/Task/"+id+"/_history/1", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("vread of the version before the deletion: %d, want 200", resp.StatusCode)
	}
	if resp, _ := do(t, s, tok, http.MethodGet, "/Task/task-99999/_history", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("history of an unknown Task: %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, s, token(t, s, "openid", "user/Task.s"), http.MethodGet, "/Task/"+id+"/_history", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("history with search permission only: %d, want 403", resp.StatusCode)
	}

	live := newTask(s, fhir.StatusRequested)
	req := fhir.Bundle{ResourceType: "Bundle", Type: "batch", Entry: []fhir.BundleEntry{
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Task/" + live + "/_history"}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Task/" + live + "/_history/1"}},
	}}
	resp, out := do(t, s, tok, http.MethodPost, "", must(json.Marshal(req)))
	var rb fhir.Bundle
	json.Unmarshal(out, &rb)
	if resp.StatusCode != http.StatusOK || len(rb.Entry) != 2 || rb.Entry[0].Response.Status != "200 OK" || rb.Entry[1].Response.Status != "200 OK" {
		t.Fatalf("batch of history and vread: %d %s", resp.StatusCode, out)
	}
	var inner fhir.Bundle
	if json.Unmarshal(rb.Entry[0].Resource, &inner); inner.Type != "history" || len(inner.Entry) != 1 {
		t.Errorf("batch history entry: %s", rb.Entry[0].Resource)
	}
}
