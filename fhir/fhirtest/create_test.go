package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// The scopes the app asks for to close the loop: the reads of appScopes and
// the creates of outcomes (Procedure, enrollment-status Observation).
const closeLoopScopes = appScopes + " user/Observation.crs user/QuestionnaireResponse.rs user/DocumentReference.rs user/HealthcareService.crus"

const (
	systemOutcomeIDs = "https://referraldesk.example.org/outcome"
	// procedureJSON is what the app posts on completion: a business
	// identifier of its own, so that a retry finds what an interrupted post
	// created.
	procedureJSON = `{"resourceType":"Procedure","identifier":[{"system":"` + systemOutcomeIDs + `","value":"{key}"}],` +
		`"basedOn":[{"reference":"ServiceRequest/{sr}"}],"status":"completed","subject":{"reference":"Patient/pat-00001"},` +
		`"performedDateTime":"2026-03-02","performer":[{"actor":{"reference":"` + referralgen.OwnerOrganization + `"}}]}`
	observationJSON = `{"resourceType":"Observation","identifier":[{"system":"` + systemOutcomeIDs + `","value":"{key}"}],"status":"final",` +
		`"code":{"coding":[{"system":"http://snomed.info/sct","code":"481021000124104"}]},"subject":{"reference":"Patient/pat-00001"},` +
		`"valueCodeableConcept":{"coding":[{"system":"` + fhir.SystemSDOHTemporary + `","code":"enrolled"}]}}`
)

// procedure is a Procedure with the business identifier key, based on
// ServiceRequest/sr.
func procedure(key, sr string) []byte {
	return []byte(strings.NewReplacer("{key}", key, "{sr}", sr).Replace(procedureJSON))
}

// observation is an enrollment-status Observation with the identifier key.
func observation(key string) []byte { return []byte(strings.ReplaceAll(observationJSON, "{key}", key)) }

// create POSTs a resource and returns the response and its decoded body.
func create(t *testing.T, s *fhirtest.Server, tok, typ string, body []byte, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	resp, out := do(t, s, tok, http.MethodPost, "/"+typ, body, header...)
	var m map[string]any
	if len(out) > 0 {
		m = object(t, out)
	}
	return resp, m
}

// Procedure and Observation creates answer 201 with the new resource's
// version 1 in Location and ETag; Prefer: return=minimal leaves the body out.
func TestCreateOutcomes(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s, "openid", closeLoopScopes)
	for _, c := range []struct {
		typ  string
		body []byte
	}{
		{"Procedure", procedure("p-1", "sr-00001")},
		{"Observation", observation("o-1")},
	} {
		t.Run(c.typ, func(t *testing.T) {
			resp, got := create(t, s, tok, c.typ, c.body, "Prefer", "return=representation")
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST %s: %d %v, want 201", c.typ, resp.StatusCode, got)
			}
			id, _ := got["id"].(string)
			meta, _ := got["meta"].(map[string]any)
			if id == "" || meta["versionId"] != "1" || meta["lastUpdated"] == nil {
				t.Fatalf("the created %s has id %q meta %v; the server assigns both", c.typ, id, meta)
			}
			if want := s.FHIRBase() + "/" + c.typ + "/" + id + "/_history/1"; resp.Header.Get("Location") != want {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), want)
			}
			if resp.Header.Get("ETag") != `W/"1"` {
				t.Errorf("ETag %q, want W/\"1\"", resp.Header.Get("ETag"))
			}
			if read := object(t, mustRead(t, s, tok, c.typ+"/"+id)); read["identifier"] == nil {
				t.Errorf("GET %s/%s lost the identifier: %v", c.typ, id, read)
			}
			if resp, body := do(t, s, tok, http.MethodGet, "/"+c.typ+"/"+id+"/_history/1", nil); resp.StatusCode != http.StatusOK {
				t.Errorf("vread of version 1: %d %s", resp.StatusCode, body)
			}
			resp, out := do(t, s, tok, http.MethodPost, "/"+c.typ, c.body, "Prefer", "return=minimal")
			if resp.StatusCode != http.StatusCreated || len(out) != 0 || resp.Header.Get("Location") == "" {
				t.Errorf("return=minimal: %d, %d bytes, Location %q; want 201, no body, a Location", resp.StatusCode, len(out), resp.Header.Get("Location"))
			}
		})
	}
}

func mustRead(t *testing.T, s *fhirtest.Server, tok, ref string) []byte {
	t.Helper()
	resp, body := do(t, s, tok, http.MethodGet, "/"+ref, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", ref, resp.StatusCode, body)
	}
	return body
}

// Creating outcomes takes create permission on their type, in SMART v2
// (.c, .cruds) or v1 (.write) syntax; read scopes are not enough.
func TestCreateScopes(t *testing.T) {
	v2 := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	v1 := fhirtest.New(t, fhirtest.Options{Referrals: -1, PermissionV1Only: true})
	obs := observation("o-scope")
	for _, c := range []struct {
		s      *fhirtest.Server
		scopes string
		want   [2]int // POST Procedure, POST Observation
	}{
		{v2, "user/Procedure.c user/Observation.c", [2]int{201, 201}},
		{v2, "user/Procedure.cruds user/Observation.cruds", [2]int{201, 201}},
		{v2, "user/Procedure.rs user/Observation.rs", [2]int{403, 403}},
		{v2, "user/Procedure.c", [2]int{201, 403}},
		{v2, "user/Procedure.write user/Observation.write", [2]int{201, 201}},
		{v1, "user/Procedure.write user/Observation.write", [2]int{201, 201}},
		{v1, "user/Procedure.read user/Observation.read", [2]int{403, 403}},
	} {
		t.Run(c.scopes, func(t *testing.T) {
			tok := token(t, c.s, "openid", c.scopes)
			var got [2]int
			for i, r := range []struct {
				typ  string
				body []byte
			}{{"Procedure", procedure("p-scope", "sr-00001")}, {"Observation", obs}} {
				resp, body := do(t, c.s, tok, http.MethodPost, "/"+r.typ, r.body)
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

// If-None-Exist: identifier=system|value makes a create safe to retry: a
// single match comes back with 200 and nothing is created, several matches
// are 412, none creates.
func TestConditionalCreate(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s, "openid", closeLoopScopes)
	count := func(key string) int {
		return len(ids(t, search(t, s, tok, "/Procedure?identifier="+url.QueryEscape(systemOutcomeIDs+"|"+key)), "match"))
	}
	cond := func(key string) []string {
		return []string{"If-None-Exist", "identifier=" + systemOutcomeIDs + "|" + key}
	}

	resp, first := create(t, s, tok, "Procedure", procedure("once", "sr-00001"), cond("once")...)
	if resp.StatusCode != http.StatusCreated || count("once") != 1 {
		t.Fatalf("miss: %d, %d stored; want 201 and one Procedure", resp.StatusCode, count("once"))
	}
	resp, again := create(t, s, tok, "Procedure", procedure("once", "sr-00001"), cond("once")...)
	if resp.StatusCode != http.StatusOK || again["id"] != first["id"] || count("once") != 1 {
		t.Fatalf("hit: %d id %v (first %v), %d stored; want 200 with the existing Procedure and no new one",
			resp.StatusCode, again["id"], first["id"], count("once"))
	}
	if want := s.FHIRBase() + "/Procedure/" + first["id"].(string) + "/_history/1"; resp.Header.Get("Location") != want {
		t.Errorf("hit: Location %q, want %q", resp.Header.Get("Location"), want)
	}
	// The type prefix some clients send is accepted too.
	if resp, _ := create(t, s, tok, "Procedure", procedure("once", "sr-00001"), "If-None-Exist", "Procedure?identifier="+systemOutcomeIDs+"|once"); resp.StatusCode != http.StatusOK {
		t.Errorf("If-None-Exist with Procedure?: %d, want 200", resp.StatusCode)
	}

	create(t, s, tok, "Procedure", procedure("twice", "sr-00001"))
	create(t, s, tok, "Procedure", procedure("twice", "sr-00001"))
	resp, body := do(t, s, tok, http.MethodPost, "/Procedure", procedure("twice", "sr-00001"), cond("twice")...)
	if resp.StatusCode != http.StatusPreconditionFailed || count("twice") != 2 {
		t.Fatalf("multiple: %d, %d stored; want 412 and no third Procedure", resp.StatusCode, count("twice"))
	}
	outcome(t, body)

	// A form-encoded header, as url.Values.Encode writes it, with the
	// urn:uuid identifiers the app uses (system urn:ietf:rfc:3986).
	uuidProc := strings.Replace(string(procedure("", "sr-00003")),
		`"system":"`+systemOutcomeIDs+`","value":""`, `"system":"urn:ietf:rfc:3986","value":"urn:uuid:6f1c0a52-8a0e-4b8e-9d0c-2f1d3e4a5b6c"`, 1)
	encoded := url.Values{"identifier": {"urn:ietf:rfc:3986|urn:uuid:6f1c0a52-8a0e-4b8e-9d0c-2f1d3e4a5b6c"}}.Encode()
	for _, want := range []int{http.StatusCreated, http.StatusOK} {
		if resp, body := do(t, s, tok, http.MethodPost, "/Procedure", []byte(uuidProc), "If-None-Exist", encoded); resp.StatusCode != want {
			t.Errorf("If-None-Exist %s: %d %s, want %d", encoded, resp.StatusCode, body, want)
		}
	}

	// The system is part of the identifier: another system's value is a miss.
	if resp, _ := create(t, s, tok, "Procedure", procedure("once", "sr-00001"), "If-None-Exist", "identifier=https://other.example.org|once"); resp.StatusCode != http.StatusCreated {
		t.Errorf("another system: %d, want 201", resp.StatusCode)
	}
	// Observation creates are conditional the same way.
	obs := observation("enrolled-1")
	oc := []string{"If-None-Exist", "identifier=" + systemOutcomeIDs + "|enrolled-1"}
	if resp, _ := create(t, s, tok, "Observation", obs, oc...); resp.StatusCode != http.StatusCreated {
		t.Errorf("Observation miss: %d", resp.StatusCode)
	}
	if resp, _ := create(t, s, tok, "Observation", obs, oc...); resp.StatusCode != http.StatusOK {
		t.Errorf("Observation hit: %d, want 200", resp.StatusCode)
	}
}

// Procedure?identifier and Procedure?based-on find what the app posted
// (the IG: "look for an existing Procedure based-on the ServiceRequest"),
// and Observation?identifier likewise; a batch reads them as the app does.
func TestOutcomeSearchesAndBatch(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s, "openid", closeLoopScopes)
	_, p1 := create(t, s, tok, "Procedure", procedure("k1", "sr-00001"))
	_, p2 := create(t, s, tok, "Procedure", procedure("k2", "sr-00001"))
	_, p3 := create(t, s, tok, "Procedure", procedure("k3", "sr-00002"))
	_, o1 := create(t, s, tok, "Observation", observation("k1"))
	ref := func(typ string, m map[string]any) string { return typ + "/" + m["id"].(string) }

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"/Procedure?identifier=" + url.QueryEscape(systemOutcomeIDs+"|k1"), []string{ref("Procedure", p1)}},
		{"/Procedure?identifier=k2", []string{ref("Procedure", p2)}},
		{"/Procedure?identifier=" + url.QueryEscape(systemOutcomeIDs+"|"), []string{ref("Procedure", p1), ref("Procedure", p2), ref("Procedure", p3)}},
		{"/Procedure?identifier=" + url.QueryEscape("|k1"), nil}, // |value means no system
		{"/Procedure?identifier=k1,k3", []string{ref("Procedure", p1), ref("Procedure", p3)}},
		{"/Procedure?based-on=ServiceRequest/sr-00001", []string{ref("Procedure", p1), ref("Procedure", p2)}},
		{"/Procedure?based-on=sr-00002", []string{ref("Procedure", p3)}},
		{"/Procedure?based-on=ServiceRequest/sr-00001&identifier=k2", []string{ref("Procedure", p2)}},
		{"/Observation?identifier=" + url.QueryEscape(systemOutcomeIDs+"|k1"), []string{ref("Observation", o1)}},
		{"/Observation?identifier=k2", nil},
	} {
		got := ids(t, search(t, s, tok, c.query, "Prefer", "handling=strict"), "match")
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s = %v, want %v", c.query, got, c.want)
		}
	}

	req := fhir.Bundle{ResourceType: "Bundle", Type: "batch", Entry: []fhir.BundleEntry{
		{Request: &fhir.EntryRequest{Method: "GET", URL: ref("Procedure", p1)}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: ref("Observation", o1)}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Procedure?based-on=ServiceRequest/sr-00002"}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Procedure?identifier=" + url.QueryEscape(systemOutcomeIDs+"|k2")}},
	}}
	resp, out := do(t, s, tok, http.MethodPost, "", must(json.Marshal(req)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch: %d %s", resp.StatusCode, out)
	}
	var b fhir.Bundle
	if err := json.Unmarshal(out, &b); err != nil || len(b.Entry) != 4 {
		t.Fatalf("batch-response: %v %s", err, out)
	}
	for i, want := range []string{ref("Procedure", p1), ref("Observation", o1)} {
		e := b.Entry[i]
		if r, _ := fhir.ParseResource(e.Resource); e.Response.Status != "200 OK" || r.Ref() != want || e.Response.Etag != `W/"1"` {
			t.Errorf("batch entry %d: %s %s etag %q; want 200 with %s", i, e.Response.Status, e.Resource, e.Response.Etag, want)
		}
	}
	for i, want := range []string{ref("Procedure", p3), ref("Procedure", p2)} {
		var set fhir.Bundle
		json.Unmarshal(b.Entry[2+i].Resource, &set)
		if got := ids(t, set, "match"); !slices.Equal(got, []string{want}) {
			t.Errorf("batch search %d = %v, want [%s]", i, got, want)
		}
	}
}

// With default Options, /metadata stays as the app's tests pinned it
// (compat_test.go); CompleteCapabilityStatement adds what was added since:
// Task's history-instance and the identifier search of Procedure and
// Observation, whose creates are conditional in both.
func TestCapabilityStatementOfOutcomes(t *testing.T) {
	for _, complete := range []bool{false, true} {
		s := fhirtest.New(t, fhirtest.Options{Referrals: -1, CompleteCapabilityStatement: complete})
		res := capabilities(t, s)
		for _, typ := range []string{"Procedure", "Observation"} {
			r := res[typ]
			if !slices.Contains(r.interactions(), "create") || !r.ConditionalCreate {
				t.Errorf("complete=%v: %s interactions %v conditionalCreate %v; want create, conditional", complete, typ, r.interactions(), r.ConditionalCreate)
			}
			if got := slices.Contains(r.params(), "identifier"); got != complete {
				t.Errorf("complete=%v: %s lists identifier: %v", complete, typ, got)
			}
		}
		if !slices.Contains(res["Procedure"].params(), "based-on") {
			t.Errorf("Procedure does not list based-on: %v", res["Procedure"].params())
		}
		if got := slices.Contains(res["Task"].interactions(), "history-instance"); got != complete {
			t.Errorf("complete=%v: Task lists history-instance: %v", complete, got)
		}
		if !slices.Contains(res["Task"].interactions(), "vread") {
			t.Errorf("complete=%v: Task does not list vread", complete)
		}
	}
}

type capResource struct {
	Type        string `json:"type"`
	Interaction []struct {
		Code string `json:"code"`
	} `json:"interaction"`
	ConditionalCreate bool `json:"conditionalCreate"`
	SearchParam       []struct {
		Name string `json:"name"`
	} `json:"searchParam"`
}

func (r capResource) interactions() []string {
	var out []string
	for _, i := range r.Interaction {
		out = append(out, i.Code)
	}
	return out
}

func (r capResource) params() []string {
	var out []string
	for _, p := range r.SearchParam {
		out = append(out, p.Name)
	}
	return out
}

// capabilities reads /metadata's resources by type.
func capabilities(t *testing.T, s *fhirtest.Server) map[string]capResource {
	t.Helper()
	var cs struct {
		Rest []struct {
			Resource []capResource `json:"resource"`
		} `json:"rest"`
	}
	if code := getJSON(t, s.FHIRBase()+"/metadata", &cs); code != http.StatusOK || len(cs.Rest) != 1 {
		t.Fatalf("metadata: %d", code)
	}
	out := map[string]capResource{}
	for _, r := range cs.Rest[0].Resource {
		out[r.Type] = r
	}
	return out
}
