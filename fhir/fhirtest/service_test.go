package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// serviceJSON is a HealthcareService provided by org, with capacity status.
func serviceJSON(org, status string) []byte {
	return []byte(`{"resourceType":"HealthcareService","extension":[{"url":"http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ExtensionHealthcareServiceCapacityStatus",` +
		`"extension":[{"url":"capacityStatus","valueCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes","code":"` + status + `"}]}}]}],` +
		`"active":true,"providedBy":{"reference":"` + org + `"},"name":"Job centre"}`)
}

// capacityOf reads the capacityStatus code of a HealthcareService.
func capacityOf(t *testing.T, hs map[string]any) string {
	t.Helper()
	ext := hs["extension"].([]any)[0].(map[string]any)["extension"].([]any)[0].(map[string]any)
	return ext["valueCodeableConcept"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string)
}

// Without Options.HealthcareService the platform is as it was: no seeded
// service, no HealthcareService writes, and /metadata lists none, so the
// app keeps its capacity local (IG 3.0.0 capacity.md).
func TestHealthcareServiceIsOptIn(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s, "openid", closeLoopScopes)
	if got := ids(t, search(t, s, tok, "/HealthcareService"), "match"); len(got) != 0 {
		t.Errorf("HealthcareServices %v without the option, want none", got)
	}
	if resp, _ := do(t, s, tok, http.MethodPost, "/HealthcareService", serviceJSON(referralgen.OwnerOrganization, "capacity")); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST HealthcareService without the option: %d, want 405", resp.StatusCode)
	}
	hs := capabilities(t, s)["HealthcareService"]
	if slices.Contains(hs.interactions(), "create") || slices.Contains(hs.interactions(), "update") || hs.ConditionalCreate {
		t.Errorf("metadata lists HealthcareService writes without the option: %v", hs.interactions())
	}
}

// With Options.HealthcareService the CBO's service is seeded, found by
// organization, and updated with If-Match like a Task; a stale version is
// 412 and the CBO may publish only its own services.
func TestHealthcareServiceCRUD(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, HealthcareService: true})
	tok := token(t, s, "openid", closeLoopScopes)

	hs := capabilities(t, s)["HealthcareService"]
	for _, want := range []string{"read", "vread", "search-type", "create", "update"} {
		if !slices.Contains(hs.interactions(), want) {
			t.Errorf("metadata: HealthcareService interactions %v lack %s", hs.interactions(), want)
		}
	}
	if !slices.Contains(hs.params(), "organization") {
		t.Errorf("metadata: HealthcareService search parameters %v lack organization", hs.params())
	}

	if got := ids(t, search(t, s, tok, "/HealthcareService?organization="+referralgen.OwnerOrganization), "match"); !slices.Equal(got, []string{referralgen.OwnerService}) {
		t.Fatalf("HealthcareService?organization=%s = %v, want the seeded %s", referralgen.OwnerOrganization, got, referralgen.OwnerService)
	}
	if got := ids(t, search(t, s, tok, "/HealthcareService?organization="+referralgen.OtherOrganization), "match"); len(got) != 0 {
		t.Errorf("the other CBO has services %v", got)
	}

	// Update the seeded service: its capacity changes, a new version.
	resp, body := do(t, s, tok, http.MethodGet, "/"+referralgen.OwnerService, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", referralgen.OwnerService, resp.StatusCode, body)
	}
	seeded, etag := object(t, body), resp.Header.Get("ETag")
	if capacityOf(t, seeded) != "capacity" {
		t.Errorf("the seeded service's capacity is %q", capacityOf(t, seeded))
	}
	full := strings.Replace(string(body), `"code":"capacity"`, `"code":"waitlist"`, 1)
	resp, body = do(t, s, tok, http.MethodPut, "/"+referralgen.OwnerService, []byte(full), "If-Match", etag)
	if resp.StatusCode != http.StatusOK || capacityOf(t, object(t, body)) != "waitlist" || resp.Header.Get("ETag") == etag {
		t.Fatalf("PUT with the current version: %d %s; want 200, waitlist, a new ETag", resp.StatusCode, body)
	}
	if !strings.Contains(resp.Header.Get("Location"), "/_history/2") {
		t.Errorf("Location %q, want version 2", resp.Header.Get("Location"))
	}
	// The same If-Match again is stale now.
	resp, body = do(t, s, tok, http.MethodPut, "/"+referralgen.OwnerService, []byte(full), "If-Match", etag)
	if resp.StatusCode != http.StatusPreconditionFailed {
		t.Fatalf("PUT with a stale version: %d %s, want 412", resp.StatusCode, body)
	}
	outcome(t, body)
	for _, c := range []struct {
		name, ifMatch string
		want          int
	}{
		{"unquoted If-Match", "2", http.StatusBadRequest},
		{"strong If-Match", `"2"`, http.StatusOK},
	} {
		resp, body := do(t, s, tok, http.MethodPut, "/"+referralgen.OwnerService, []byte(full), "If-Match", c.ifMatch)
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.want)
		}
	}

	// Create a second service, then read it back by id and by organization.
	resp, created := create(t, s, tok, "HealthcareService", serviceJSON(referralgen.OwnerOrganization, "no-capacity"))
	if resp.StatusCode != http.StatusCreated || !strings.HasSuffix(resp.Header.Get("Location"), "/_history/1") {
		t.Fatalf("POST HealthcareService: %d %v %s", resp.StatusCode, created, resp.Header.Get("Location"))
	}
	ref := "HealthcareService/" + created["id"].(string)
	if got := object(t, mustRead(t, s, tok, ref)); capacityOf(t, got) != "no-capacity" {
		t.Errorf("GET %s: %v", ref, got)
	}
	got := ids(t, search(t, s, tok, "/HealthcareService?organization="+referralgen.OwnerOrganization), "match")
	if !slices.Contains(got, ref) || len(got) != 2 {
		t.Errorf("the CBO's services %v, want %s and %s", got, referralgen.OwnerService, ref)
	}

	// Another organization's service is not the CBO's to publish or change.
	if resp, body := do(t, s, tok, http.MethodPost, "/HealthcareService", serviceJSON(referralgen.OtherOrganization, "capacity")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST another organization's service: %d %s, want 403", resp.StatusCode, body)
	}
	moved := strings.Replace(full, referralgen.OwnerOrganization, referralgen.OtherOrganization, 1)
	if resp, body := do(t, s, tok, http.MethodPut, "/"+referralgen.OwnerService, []byte(moved)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT giving the service away: %d %s, want 403", resp.StatusCode, body)
	}
	// Updates do not create, and need update permission.
	missing := strings.Replace(full, `"id":"cbo-eastside-food-pantry"`, `"id":"nothing-here"`, 1)
	if resp, _ := do(t, s, tok, http.MethodPut, "/HealthcareService/nothing-here", []byte(missing)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("PUT an unknown service: %d, want 404", resp.StatusCode)
	}
	readOnly := token(t, s, "openid", "user/HealthcareService.rs")
	if resp, _ := do(t, s, readOnly, http.MethodPut, "/"+referralgen.OwnerService, []byte(full)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT with read scopes only: %d, want 403", resp.StatusCode)
	}
	var history struct {
		Total int `json:"total"`
	}
	json.Unmarshal(mustRead(t, s, tok, referralgen.OwnerService+"/_history"), &history)
	if history.Total != 3 {
		t.Errorf("the seeded service has %d versions, want 3 (seeded, waitlist, strong If-Match)", history.Total)
	}
}
