package auth

import "strings"

// wanted is what Referral Desk's workflow reads and writes, nothing more (smart-client.md, "Scopes").
var wanted = []struct{ resource, perms string }{
	{"Task", "rus"}, {"ServiceRequest", "rs"}, {"Patient", "rs"}, {"Consent", "rs"}, {"Condition", "rs"},
	{"Goal", "rs"}, {"Organization", "rs"}, {"Practitioner", "rs"}, {"PractitionerRole", "rs"},
	{"HealthcareService", "rus"}, {"Procedure", "crs"},
	// What a requester attaches to a referral (IG 3.0.0), and the
	// enrollment status a completion may post.
	{"Observation", "crs"}, {"QuestionnaireResponse", "rs"}, {"DocumentReference", "rs"},
}

// Scopes returns the scopes Referral Desk asks for: SMART v2 syntax (user/Task.rus), or v1 syntax
// (user/Task.read user/Task.write) when the platform does not list permission-v2.
func Scopes(cfg *Config) []string {
	s := []string{"openid", "fhirUser", "offline_access"}
	for _, w := range wanted {
		if cfg == nil || cfg.SupportsV2() {
			s = append(s, "user/"+w.resource+"."+w.perms)
			continue
		}
		s = append(s, "user/"+w.resource+".read")
		if strings.ContainsAny(w.perms, "cud") {
			s = append(s, "user/"+w.resource+".write")
		}
	}
	return s
}

// needs maps what the workflow needs to what will not work without it.
var needs = []struct {
	plain     []string // scopes needed as is
	resources []string // user/ resource scopes needed with perms
	perms     string
	why       Reason
}{
	{plain: []string{"offline_access"}, why: reasonNoOffline},
	{plain: []string{"openid", "fhirUser"}, why: reasonNoWhoAmI},
	{resources: []string{"Task"}, perms: "rs", why: reasonNoTaskRead},
	{resources: []string{"Task"}, perms: "u", why: reasonNoTaskUpdate},
	{resources: []string{"ServiceRequest"}, perms: "rs", why: reasonNoRequestRead},
	{resources: []string{"Patient"}, perms: "rs", why: reasonNoPatientRead},
	{resources: []string{"Consent"}, perms: "rs", why: reasonNoConsentRead},
	{resources: []string{"Condition", "Goal"}, perms: "rs", why: reasonNoNeedsRead},
	{resources: []string{"Organization", "Practitioner", "PractitionerRole", "HealthcareService"}, perms: "rs", why: reasonNoRequesterRead},
	{resources: []string{"Procedure"}, perms: "crs", why: reasonNoProcedure},
}

// MissingScopes says what will not work with the granted scope string (v1 or v2 syntax, wildcards
// included), one Reason each (Reason.Sentence says it to the case worker). Empty when everything needed was
// granted.
func MissingScopes(granted string) []Reason {
	plain := map[string]bool{}
	perms := map[string]string{} // resource ("*" for all) -> granted permission letters
	for _, s := range strings.Fields(granted) {
		plain[s] = true
		rest, ok := strings.CutPrefix(s, "user/")
		if !ok {
			continue
		}
		rest, _, _ = strings.Cut(rest, "?") // v2 granular scopes (user/Task.rs?category=…) still grant the letters
		resource, p, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		perms[resource] += letters(p)
	}
	has := func(resource, want string) bool {
		for _, c := range want {
			if !strings.ContainsRune(perms[resource], c) && !strings.ContainsRune(perms["*"], c) {
				return false
			}
		}
		return true
	}
	var missing []Reason
	for _, n := range needs {
		ok := true
		for _, s := range n.plain {
			ok = ok && plain[s]
		}
		for _, r := range n.resources {
			ok = ok && has(r, n.perms)
		}
		if !ok {
			missing = append(missing, n.why)
		}
	}
	return missing
}

// letters turns a permission (v1 read/write/*, or v2 cruds letters) into v2 letters.
func letters(p string) string {
	switch p {
	case "read":
		return "rs"
	case "write":
		return "cud"
	case "*":
		return "cruds"
	}
	if strings.Trim(p, "cruds") != "" {
		return ""
	}
	return p
}
