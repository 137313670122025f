package fhirtest

import (
	"slices"
	"strings"
)

// resourceTypes are the types this platform serves and scopes may name.
var resourceTypes = []string{
	"Task", "ServiceRequest", "Patient", "RelatedPerson", "Group", "Consent", "Condition", "Goal",
	"Observation", "Procedure", "Organization", "Practitioner", "PractitionerRole", "HealthcareService",
	"Location", "DocumentReference", "Questionnaire", "QuestionnaireResponse",
}

// identityScopes are the scopes granted as asked that name no resource.
var identityScopes = []string{"openid", "fhirUser", "profile", "offline_access"}

// permWords names the SMART v2 permissions in plain words.
var permWords = map[byte]string{'c': "create", 'r': "read", 'u': "update", 'd': "delete", 's': "search"}

// resourceScope is a parsed user-level resource scope.
type resourceScope struct {
	typ   string // a resource type or "*"
	perms string // a subset of "cruds", in that order
	v1    bool   // written in SMART v1 syntax (.read, .write, .*)
}

// parseResourceScope reads user/<Type|*>.<perms> in SMART v2 (cruds) or v1
// (read, write, *) syntax. patient/ and system/ scopes, and v2 scopes with
// search constraints (?category=...), are not offered by this platform.
func parseResourceScope(sc string) (resourceScope, bool) {
	rest, ok := strings.CutPrefix(sc, "user/")
	if !ok || strings.Contains(rest, "?") {
		return resourceScope{}, false
	}
	typ, perms, ok := strings.Cut(rest, ".")
	if !ok || (typ != "*" && !slices.Contains(resourceTypes, typ)) {
		return resourceScope{}, false
	}
	switch perms {
	case "read":
		return resourceScope{typ, "rs", true}, true
	case "write":
		return resourceScope{typ, "cud", true}, true
	case "*":
		return resourceScope{typ, "cruds", true}, true
	}
	// v2: a non-empty subset of c, r, u, d, s in that order.
	last := -1
	for i := range len(perms) {
		at := strings.IndexByte("cruds", perms[i])
		if at <= last {
			return resourceScope{}, false
		}
		last = at
	}
	return resourceScope{typ, perms, false}, perms != ""
}

// grantable splits requested scopes into those this platform grants and
// those it does not offer. PermissionV1Only refuses v2 syntax.
func (s *Server) grantable(requested []string) (granted, refused []string) {
	for _, sc := range requested {
		if slices.Contains(granted, sc) || slices.Contains(refused, sc) {
			continue
		}
		ok := slices.Contains(identityScopes, sc)
		if rs, valid := parseResourceScope(sc); valid {
			ok = rs.v1 || !s.opts.PermissionV1Only
		}
		if ok {
			granted = append(granted, sc)
		} else {
			refused = append(refused, sc)
		}
	}
	return granted, refused
}

// scopesAllow reports whether any of scopes allows perm on typ.
func scopesAllow(scopes []string, typ string, perm byte) bool {
	return slices.ContainsFunc(scopes, func(sc string) bool {
		rs, ok := parseResourceScope(sc)
		return ok && (rs.typ == "*" || rs.typ == typ) && strings.IndexByte(rs.perms, perm) >= 0
	})
}

// scopesSupported is what discovery advertises: the identity scopes and,
// for every type and for *, the widest scope in each syntax offered.
func (s *Server) scopesSupported() []string {
	out := slices.Clone(identityScopes)
	for _, typ := range append([]string{"*"}, resourceTypes...) {
		if !s.opts.PermissionV1Only {
			out = append(out, "user/"+typ+".cruds")
		}
		out = append(out, "user/"+typ+".read", "user/"+typ+".write")
	}
	return out
}

// typeWords names resource types the way a case worker would.
var typeWords = map[string]string{
	"*":                 "all the records you can see",
	"Task":              "referrals",
	"ServiceRequest":    "service requests (what was asked for)",
	"Patient":           "the people referred",
	"RelatedPerson":     "people related to them",
	"Consent":           "consent records",
	"Condition":         "health and social concerns",
	"Goal":              "goals",
	"Observation":       "observations and assessments",
	"Procedure":         "records of services you provided",
	"Organization":      "organizations",
	"Practitioner":      "practitioners",
	"PractitionerRole":  "practitioner roles",
	"HealthcareService": "services and programs",
}

// describeScope says in plain words what a scope lets the app do.
func describeScope(sc string) string {
	switch sc {
	case "openid", "profile":
		return "Confirm who you are"
	case "fhirUser":
		return "Know which person and role you sign in as"
	case "offline_access":
		return "Stay connected when you are not using it, until you disconnect it"
	}
	rs, ok := parseResourceScope(sc)
	if !ok {
		return sc
	}
	var verbs []string
	for i := range len(rs.perms) {
		verbs = append(verbs, permWords[rs.perms[i]])
	}
	what := typeWords[rs.typ]
	if what == "" {
		what = rs.typ + " records"
	}
	list := verbs[0]
	if n := len(verbs); n > 1 {
		list = strings.Join(verbs[:n-1], ", ") + " and " + verbs[n-1]
	}
	return strings.ToUpper(list[:1]) + list[1:] + " " + what + " (" + sc + ")"
}
