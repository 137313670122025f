package auth

import (
	"slices"
	"strings"
	"testing"
)

func TestScopes(t *testing.T) {
	v2 := "openid fhirUser offline_access user/Task.rus user/ServiceRequest.rs user/Patient.rs user/Consent.rs " +
		"user/Condition.rs user/Goal.rs user/Organization.rs user/Practitioner.rs user/PractitionerRole.rs " +
		"user/HealthcareService.rus user/Procedure.crs user/Observation.crs user/QuestionnaireResponse.rs " +
		"user/DocumentReference.rs"
	if got := strings.Join(Scopes(&Config{Capabilities: []string{"permission-v1", "permission-v2"}}), " "); got != v2 {
		t.Errorf("v2 scopes = %q", got)
	}
	v1 := Scopes(&Config{Capabilities: []string{"permission-v1"}})
	for _, s := range []string{"user/Task.read", "user/Task.write", "user/Patient.read", "user/Procedure.write"} {
		if !slices.Contains(v1, s) {
			t.Errorf("v1 scopes %q lack %s", v1, s)
		}
	}
	if slices.Contains(v1, "user/Patient.write") || slices.ContainsFunc(v1, func(s string) bool { return strings.HasSuffix(s, ".rs") }) {
		t.Errorf("v1 scopes ask too much or mix syntaxes: %q", v1)
	}
	if missing := MissingScopes(v2); len(missing) != 0 {
		t.Errorf("MissingScopes(all v2) = %q", missing)
	}
	if missing := MissingScopes(strings.Join(v1, " ")); len(missing) != 0 {
		t.Errorf("MissingScopes(all v1) = %q", missing)
	}
}

func TestMissingScopes(t *testing.T) {
	for granted, want := range map[string][]string{
		"openid fhirUser offline_access user/*.cruds":                                               nil,
		"openid fhirUser offline_access user/*.read user/*.write":                                   nil,
		"openid fhirUser offline_access user/*.* ":                                                  nil,
		"openid fhirUser offline_access user/*.rs user/Task.u user/Procedure.c":                     nil,
		"openid fhirUser offline_access user/*.rs user/Task.rus?category=referral user/Procedure.c": nil,
		"openid fhirUser user/*.cruds":                                                              {reasonNoOffline.Sentence()},
		"offline_access user/*.cruds":                                                               {reasonNoWhoAmI.Sentence()},
		"openid fhirUser offline_access user/*.rs":                                                  {"cannot send status changes", "cannot record"},
		"openid fhirUser offline_access patient/*.cruds user/*.xyz":                                 {"referrals sent to you", "status changes", "what service", "who each referral is for", "consent", "needs and goals", "who sent", "cannot record"},
	} {
		got := MissingScopes(granted)
		if len(got) != len(want) {
			t.Errorf("MissingScopes(%q) = %q, want %d sentences", granted, got, len(want))
			continue
		}
		for i := range want {
			if !strings.Contains(got[i].Sentence(), want[i]) {
				t.Errorf("MissingScopes(%q)[%d] = %q, want it to mention %q", granted, i, got[i].Sentence(), want[i])
			}
		}
	}
	if got := MissingScopes(""); len(got) != len(needs) {
		t.Errorf("MissingScopes(\"\") = %q", got)
	}
}
