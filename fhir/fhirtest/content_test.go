package fhirtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// contentRefs lists the references of a Task's additional-content inputs
// (IG 3.0.0: SDOHCC-CodeSystemTemporaryCodes#additional-content).
func contentRefs(t *testing.T, task []byte) []string {
	t.Helper()
	var tk struct {
		Input []struct {
			Type           fhir.CodeableConcept `json:"type"`
			ValueReference fhir.Reference       `json:"valueReference"`
		} `json:"input"`
	}
	if err := json.Unmarshal(task, &tk); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range tk.Input {
		if slices.ContainsFunc(in.Type.Coding, func(c fhir.Coding) bool {
			return c.System == fhir.SystemSDOHTemporary && c.Code == "additional-content"
		}) {
			out = append(out, in.ValueReference.Reference)
		}
	}
	return out
}

// batchGet reads refs in one batch and returns each entry's status.
func batchGet(t *testing.T, s *fhirtest.Server, tok string, refs []string) []fhir.BundleEntry {
	t.Helper()
	req := fhir.Bundle{ResourceType: "Bundle", Type: "batch"}
	for _, r := range refs {
		req.Entry = append(req.Entry, fhir.BundleEntry{Request: &fhir.EntryRequest{Method: "GET", URL: r}})
	}
	resp, out := do(t, s, tok, http.MethodPost, "", must(json.Marshal(req)))
	var b fhir.Bundle
	if err := json.Unmarshal(out, &b); err != nil || resp.StatusCode != http.StatusOK || len(b.Entry) != len(refs) {
		t.Fatalf("batch of %d reads: %d %v %.300s", len(refs), resp.StatusCode, err, out)
	}
	return b.Entry
}

// With Options.AdditionalContent about half of the referrals are
// content-rich, and everything their inputs reference is on the platform:
// a batch with the scopes for those types reads every one.
func TestAdditionalContentResolves(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 40, AdditionalContent: true})
	tok := token(t, s, "openid", closeLoopScopes)
	var refs []string
	rich := 0
	for _, e := range search(t, s, tok, "/Task?_count=1000").Entry {
		r := contentRefs(t, e.Resource)
		if len(r) >= 4 {
			rich++
		}
		refs = append(refs, r...)
	}
	if rich < 10 || rich > 30 {
		t.Fatalf("%d of 40 referrals are content-rich, want about half", rich)
	}
	types := map[string]bool{}
	for i, e := range batchGet(t, s, tok, refs) {
		r, err := fhir.ParseResource(e.Resource)
		if e.Response.Status != "200 OK" || err != nil || r.Ref() != refs[i] {
			t.Errorf("additional content %s: %s %s", refs[i], e.Response.Status, e.Response.Outcome)
		}
		types[strings.Split(refs[i], "/")[0]] = true
	}
	for _, typ := range []string{"QuestionnaireResponse", "Observation", "Goal", "DocumentReference"} {
		if !types[typ] {
			t.Errorf("no referral has a %s as additional content (%v)", typ, types)
		}
	}

	// AddReferral gets the share too, unless its Spec asks for content.
	forced := s.AddReferral(referralgen.Spec{AdditionalContent: referralgen.ContentAll})
	raw, _ := s.Resource("Task", forced)
	if got := contentRefs(t, raw); len(got) < 4 {
		t.Errorf("AddReferral with ContentAll: additional content %v, want four or five", got)
	}

	// Reading it takes a scope for each type, as any read does: without one
	// for DocumentReference the letter is 403, the rest still readable.
	narrow := token(t, s, "openid", strings.ReplaceAll(closeLoopScopes, " user/DocumentReference.rs", ""))
	for i, e := range batchGet(t, s, narrow, contentRefs(t, raw)) {
		want := "200 OK"
		if strings.HasPrefix(contentRefs(t, raw)[i], "DocumentReference/") {
			want = "403 Forbidden"
		}
		if e.Response.Status != want {
			t.Errorf("without DocumentReference scope, %s: %s, want %s", contentRefs(t, raw)[i], e.Response.Status, want)
		}
	}
}

// Without the option a referral carries content only when its Spec asks.
func TestAdditionalContentIsOptIn(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 40})
	for i := 1; i <= 40; i++ {
		raw, _ := s.Resource("Task", referralTaskID(i))
		if got := contentRefs(t, raw); len(got) > 1 {
			t.Fatalf("%s has additional content %v without Options.AdditionalContent", referralTaskID(i), got)
		}
	}
	raw, _ := s.Resource("Task", s.AddReferral(referralgen.Spec{AdditionalContent: referralgen.ContentAll}))
	if got := contentRefs(t, raw); len(got) < 4 {
		t.Errorf("AddReferral with ContentAll: additional content %v", got)
	}
}

func referralTaskID(i int) string { return fmt.Sprintf("task-%05d", i) }
