package fhirtest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type paramKind int

const (
	tokenParam paramKind = iota
	refParam
	identifierParam // a token parameter over Identifier: system|value
)

// searchParam is a search parameter that reads one top-level element.
type searchParam struct {
	kind    paramKind
	element string
	// target is the only type a reference parameter points to, so that a
	// bare id means target/id (patient=123). Parameters with several target
	// types (owner, requester) match nothing for a bare id, as real servers.
	target string
}

var (
	ref         = func(e string) searchParam { return searchParam{kind: refParam, element: e} }
	refTo       = func(e, t string) searchParam { return searchParam{kind: refParam, element: e, target: t} }
	token       = func(e string) searchParam { return searchParam{kind: tokenParam, element: e} }
	ident       = func(e string) searchParam { return searchParam{kind: identifierParam, element: e} }
	subjectRefs = map[string]searchParam{"subject": ref("subject"), "patient": refTo("subject", "Patient")}
)

// searchParams are the parameters each type supports besides _id and
// _lastUpdated (the R4 definitions, reduced to what referral work needs).
var searchParams = map[string]map[string]searchParam{
	"Task": {
		"owner":           ref("owner"),
		"requester":       ref("requester"),
		"focus":           ref("focus"),
		"subject":         ref("for"),
		"patient":         refTo("for", "Patient"),
		"based-on":        ref("basedOn"),
		"part-of":         refTo("partOf", "Task"),
		"status":          token("status"),
		"business-status": token("businessStatus"),
		"priority":        token("priority"),
		"intent":          token("intent"),
		"code":            token("code"),
	},
	"ServiceRequest": merge(subjectRefs, map[string]searchParam{
		"requester": ref("requester"),
		"performer": ref("performer"),
		"status":    token("status"),
		"code":      token("code"),
		"category":  token("category"),
	}),
	"Procedure": merge(subjectRefs, map[string]searchParam{
		"based-on":  refTo("basedOn", "ServiceRequest"),
		"performer": ref("performer"),
		"status":    token("status"),
		"code":      token("code"),
		"category":  token("category"),
	}),
	"Consent":     {"patient": refTo("patient", "Patient"), "status": token("status")},
	"Condition":   merge(subjectRefs, map[string]searchParam{"category": token("category"), "code": token("code")}),
	"Goal":        merge(subjectRefs, map[string]searchParam{"lifecycle-status": token("lifecycleStatus")}),
	"Observation": merge(subjectRefs, map[string]searchParam{"code": token("code"), "category": token("category"), "status": token("status")}),
	"PractitionerRole": {
		"organization": refTo("organization", "Organization"),
		"practitioner": refTo("practitioner", "Practitioner"),
	},
	"HealthcareService": {"organization": refTo("providedBy", "Organization")},
}

// addedParams are parameters added after the app's tests pinned /metadata
// (compat_test.go). They work on every platform; /metadata lists them only
// with Options.CompleteCapabilityStatement. identifier lets a client that
// posts a Procedure or Observation with its own business identifier find
// it again, and make the create conditional (If-None-Exist), after an
// interruption.
var addedParams = map[string]map[string]searchParam{
	"Procedure":   {"identifier": ident("identifier")},
	"Observation": {"identifier": ident("identifier")},
}

// lookupParam finds the search parameter name of typ.
func lookupParam(typ, name string) (searchParam, bool) {
	if p, ok := searchParams[typ][name]; ok {
		return p, true
	}
	p, ok := addedParams[typ][name]
	return p, ok
}

// merge is a new map with the entries of a and b (b wins).
func merge[V any](a, b map[string]V) map[string]V {
	out := make(map[string]V, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// filter decides whether a version matches one search parameter.
type filter func(v *version) bool

// paramFilter builds the filter of name[:modifier]=value for a parameter of
// typ. Repeating a parameter ANDs filters; a comma inside a value ORs.
func (s *Server) paramFilter(p searchParam, modifier, value string) (filter, error) {
	if modifier == "missing" {
		want, err := strconv.ParseBool(value)
		if err != nil {
			return nil, fmt.Errorf(":missing takes true or false, not %q", value)
		}
		return func(v *version) bool { return isEmpty(v.doc[p.element]) == want }, nil
	}
	switch p.kind {
	case tokenParam, identifierParam:
		if modifier != "" {
			return nil, fmt.Errorf("modifier :%s is not supported", modifier)
		}
		values := strings.Split(value, ",")
		read, match := tokens, tokenValue.matches
		if p.kind == identifierParam {
			read, match = identifiers, tokenValue.matchesIdentifier
		}
		return func(v *version) bool {
			for _, t := range read(v.doc[p.element]) {
				if slices.ContainsFunc(values, func(q string) bool { return match(t, q) }) {
					return true
				}
			}
			return false
		}, nil
	}
	target := p.target
	if modifier != "" {
		if !s.knownType(modifier) {
			return nil, fmt.Errorf("modifier :%s is not supported", modifier)
		}
		target = modifier // owner:Organization=x means owner=Organization/x
	}
	var wants []string
	for one := range strings.SplitSeq(value, ",") {
		r := s.normRef(one)
		if !strings.Contains(r, "/") {
			if target == "" {
				continue // a bare id matches nothing where several types could be meant
			}
			r = target + "/" + r
		}
		wants = append(wants, r)
	}
	return func(v *version) bool {
		for _, r := range refs(v.doc[p.element]) {
			if slices.Contains(wants, s.normRef(r)) {
				return true
			}
		}
		return false
	}, nil
}

// normRef makes a reference to this server relative ("Type/id"), without a
// version; references to other servers stay absolute.
func (s *Server) normRef(r string) string {
	r = strings.TrimPrefix(r, s.FHIRBase()+"/")
	if i := strings.Index(r, "/_history/"); i >= 0 {
		r = r[:i]
	}
	return r
}

// refs lists the references of an element holding a Reference or a list of them.
func refs(e any) []string {
	var out []string
	for _, x := range list(e) {
		if m, ok := x.(map[string]any); ok {
			if r, ok := m["reference"].(string); ok && r != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// tokenValue is one system|code found in an element.
type tokenValue struct{ system, code string }

// tokens lists the codes of an element: a code, a Coding, a CodeableConcept,
// or a list of them.
func tokens(e any) []tokenValue {
	var out []tokenValue
	for _, x := range list(e) {
		switch x := x.(type) {
		case string:
			out = append(out, tokenValue{code: x})
		case map[string]any:
			if codings, ok := x["coding"]; ok {
				out = append(out, tokens(codings)...)
				continue
			}
			system, _ := x["system"].(string)
			code, _ := x["code"].(string)
			out = append(out, tokenValue{system, code})
		}
	}
	return out
}

// matches implements token search values: code, system|code, |code, system|.
func (t tokenValue) matches(q string) bool {
	system, code, hasSystem := strings.Cut(q, "|")
	if !hasSystem {
		return t.code == q
	}
	if code == "" {
		return t.system == system
	}
	// A plain code element has no system of its own: its system is implied.
	return t.code == code && (t.system == system || (t.system == "" && system != ""))
}

// identifiers lists the system|value of an element holding an Identifier or
// a list of them.
func identifiers(e any) []tokenValue {
	var out []tokenValue
	for _, x := range list(e) {
		if m, ok := x.(map[string]any); ok {
			system, _ := m["system"].(string)
			value, _ := m["value"].(string)
			out = append(out, tokenValue{system, value})
		}
	}
	return out
}

// matchesIdentifier implements identifier search values: value,
// system|value, |value (no system) and system|. Unlike a code, an
// identifier's system is never implied: system|value needs that system.
func (t tokenValue) matchesIdentifier(q string) bool {
	system, value, hasSystem := strings.Cut(q, "|")
	switch {
	case !hasSystem:
		return t.code == q
	case value == "":
		return t.system == system
	}
	return t.system == system && t.code == value
}

func list(e any) []any {
	if l, ok := e.([]any); ok {
		return l
	}
	if e == nil {
		return nil
	}
	return []any{e}
}

func isEmpty(e any) bool {
	switch e := e.(type) {
	case nil:
		return true
	case []any:
		return len(e) == 0
	case map[string]any:
		return len(e) == 0
	case string:
		return e == ""
	}
	return false
}

// lastUpdatedFilter implements _lastUpdated with the prefixes eq, ne, gt,
// ge, lt, le. A value stands for the range its precision covers, so
// gt2025-03-01T10:00:00.123Z means "from 10:00:00.124".
func lastUpdatedFilter(value string) (filter, error) {
	var ors []filter
	for one := range strings.SplitSeq(value, ",") {
		prefix := "eq"
		if len(one) > 2 && one[0] >= 'a' && one[0] <= 'z' {
			prefix, one = one[:2], one[2:]
		}
		lo, hi, err := parseDateRange(one)
		if err != nil {
			return nil, err
		}
		var f filter
		switch prefix {
		case "eq":
			f = func(v *version) bool { return !v.lastUpdated.Before(lo) && v.lastUpdated.Before(hi) }
		case "ne":
			f = func(v *version) bool { return v.lastUpdated.Before(lo) || !v.lastUpdated.Before(hi) }
		case "gt":
			f = func(v *version) bool { return !v.lastUpdated.Before(hi) }
		case "ge":
			f = func(v *version) bool { return !v.lastUpdated.Before(lo) }
		case "lt":
			f = func(v *version) bool { return v.lastUpdated.Before(lo) }
		case "le":
			f = func(v *version) bool { return v.lastUpdated.Before(hi) }
		default:
			return nil, fmt.Errorf("_lastUpdated prefix %q is not supported (eq, ne, gt, ge, lt, le)", prefix)
		}
		ors = append(ors, f)
	}
	return func(v *version) bool {
		return slices.ContainsFunc(ors, func(f filter) bool { return f(v) })
	}, nil
}

var dateValue = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$`)

// parseDateRange turns a FHIR date/dateTime/instant into the half-open
// range [lo, hi) its precision covers. A time needs a time zone: without one
// the instant would depend on where the server runs.
func parseDateRange(s string) (lo, hi time.Time, err error) {
	m := dateValue.FindStringSubmatch(s)
	if m == nil {
		return lo, hi, fmt.Errorf("%q is not a FHIR date or dateTime (a '+' in a time zone must be sent as %%2B)", s)
	}
	n := func(i int, def int) int {
		if m[i] == "" {
			return def
		}
		v, _ := strconv.Atoi(m[i])
		return v
	}
	loc := time.UTC
	if m[4] != "" {
		if m[8] == "" {
			return lo, hi, fmt.Errorf("%q has a time but no time zone", s)
		}
		if m[8] != "Z" {
			t, _ := time.Parse("-07:00", m[8])
			_, off := t.Zone()
			loc = time.FixedZone(m[8], off)
		}
	}
	nanos := 0
	if m[7] != "" {
		nanos, _ = strconv.Atoi(m[7] + strings.Repeat("0", 9-len(m[7])))
	}
	lo = time.Date(n(1, 0), time.Month(n(2, 1)), n(3, 1), n(4, 0), n(5, 0), n(6, 0), nanos, loc)
	switch {
	case m[2] == "":
		hi = lo.AddDate(1, 0, 0)
	case m[3] == "":
		hi = lo.AddDate(0, 1, 0)
	case m[4] == "":
		hi = lo.AddDate(0, 0, 1)
	case m[6] == "":
		hi = lo.Add(time.Minute)
	case m[7] == "":
		hi = lo.Add(time.Second)
	default:
		step := time.Duration(1)
		for range 9 - len(m[7]) {
			step *= 10
		}
		hi = lo.Add(step)
	}
	return lo, hi, nil
}
