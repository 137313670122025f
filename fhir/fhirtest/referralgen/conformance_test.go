package referralgen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/fixtures"
)

// references collects every Reference.reference in a decoded resource.
func references(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "reference" {
				*out = append(*out, s)
				continue
			}
			references(val, out)
		}
	case []any:
		for _, val := range x {
			references(val, out)
		}
	}
}

// Every resource parses, is compact, carries a profile and no server-owned
// meta, and every reference resolves within the directory, the referral, or
// (for a returning patient) an earlier referral; content-rich referrals too.
func TestResourcesParseAndReferencesResolve(t *testing.T) {
	for name, spec := range map[string]Spec{"plain": {}, "content-rich": {AdditionalContent: ContentSome}} {
		t.Run(name, func(t *testing.T) { referencesResolve(t, spec) })
	}
}

func referencesResolve(t *testing.T, spec Spec) {
	g := New(2024)
	known := map[string]bool{}
	var dirRefs []string
	for _, raw := range g.Directory() {
		res, refs := checkResource(t, raw)
		if known[res.Ref()] {
			t.Fatalf("directory has %s twice", res.Ref())
		}
		known[res.Ref()] = true
		dirRefs = append(dirRefs, refs...)
	}
	for _, ref := range dirRefs {
		if !known[ref] {
			t.Errorf("a directory resource refers to %s, which does not exist", ref)
		}
	}
	for _, ref := range []string{OwnerOrganization, OtherOrganization, CoordinationPlatform, CaseWorker, CaseWorkerRole} {
		if !known[ref] {
			t.Errorf("Directory has no %s", ref)
		}
	}
	if role := findInDirectory(t, g, CaseWorkerRole); str(role, "organization", "reference") != OwnerOrganization {
		t.Errorf("the case worker's role belongs to %q", str(role, "organization", "reference"))
	}

	for i := 1; i <= 2000; i++ {
		var refs []string
		for _, raw := range g.Referral(i, authoredAt(i), spec) {
			res, r := checkResource(t, raw)
			if known[res.Ref()] {
				t.Fatalf("referral %d repeats %s", i, res.Ref())
			}
			known[res.Ref()] = true
			refs = append(refs, r...)
		}
		for _, ref := range refs {
			if !known[ref] {
				t.Fatalf("referral %d refers to %s, which neither it, an earlier referral nor the directory has", i, ref)
			}
		}
	}
}

func findInDirectory(t *testing.T, g *Generator, ref string) map[string]any {
	for _, raw := range g.Directory() {
		if m := decode(t, raw); m["resourceType"].(string)+"/"+m["id"].(string) == ref {
			return m
		}
	}
	t.Fatalf("no %s in the directory", ref)
	return nil
}

// checkResource checks one resource and returns its identity and references.
func checkResource(t *testing.T, raw json.RawMessage) (fhir.Resource, []string) {
	t.Helper()
	res, err := fhir.ParseResource(raw)
	if err != nil {
		t.Fatalf("ParseResource: %v\n%s", err, raw)
	}
	if res.ID == "" {
		t.Fatalf("%s without id", res.Type)
	}
	if res.Meta.VersionID != "" || res.Meta.LastUpdated != "" {
		t.Fatalf("%s carries server-owned meta", res.Ref())
	}
	m := decode(t, raw)
	meta, _ := m["meta"].(map[string]any)
	if profiles, _ := meta["profile"].([]any); len(profiles) == 0 {
		t.Fatalf("%s has no meta.profile", res.Ref())
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil || !bytes.Equal(compact.Bytes(), raw) {
		t.Fatalf("%s is not compact JSON", res.Ref())
	}
	var refs []string
	references(m, &refs)
	return res, refs
}

// fixtureFiles reads the IG examples (2.3.0 and 3.0.0) whose file names
// start with prefix.
func fixtureFiles(t *testing.T, prefix string) []json.RawMessage {
	t.Helper()
	var files []string
	for _, v := range []string{"2.3.0", "3.0.0"} {
		fs, _ := filepath.Glob(filepath.Join(fixtures.Dir(t, "sdoh-ig/"+v), prefix+"*.json"))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatalf("the IG fixture folders hold no examples (%s*.json)", prefix)
	}
	var out []json.RawMessage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// fixtureShapes reads the IG examples: for each resource type, the profiles
// they declare and the top-level elements they use.
func fixtureShapes(t *testing.T) (profiles, elements map[string]map[string]bool) {
	profiles, elements = map[string]map[string]bool{}, map[string]map[string]bool{}
	var files []string
	for _, v := range []string{"2.3.0", "3.0.0"} {
		fs, _ := filepath.Glob(filepath.Join(fixtures.Dir(t, "sdoh-ig/"+v), "*.json"))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatal("the IG fixture folders hold no examples (*.json)")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, b)
		typ := m["resourceType"].(string)
		if typ == "Task" && !strings.Contains(f, "TaskReferral") && !strings.Contains(f, "TaskContentRich") {
			continue // patient tasks are another profile
		}
		if profiles[typ] == nil {
			profiles[typ], elements[typ] = map[string]bool{}, map[string]bool{}
		}
		if meta, ok := m["meta"].(map[string]any); ok {
			for _, p := range meta["profile"].([]any) {
				profiles[typ][strings.Split(p.(string), "|")[0]] = true
			}
		}
		for k := range m {
			elements[typ][k] = true
		}
	}
	return profiles, elements
}

// Elements beyond the IG examples that a referral recipient must handle
// (must-support in the profiles, or asked for in the workflow doc).
var extraElements = map[string][]string{
	"Task":           {"statusReason", "priority", "note"},
	"ServiceRequest": {"extension", "priority", "orderDetail", "occurrencePeriod", "authoredOn", "requester", "supportingInfo", "note"},
	"Patient":        {"communication"},
	"Consent":        {"provision"},
	"Condition":      {"recordedDate"},
	"Procedure":      {"performer"},
	"Organization":   {"type", "telecom"},
	// The IG's only DocumentReference example has no profile and only
	// status and content; US Core's profile, which content-rich referrals
	// follow, requires or must-supports these.
	"DocumentReference": {"meta", "type", "category", "subject", "date", "author", "description"},
	"HealthcareService": {"providedBy", "telecom"},
}

// extraProfiles are profiles beyond the IG examples', for types whose
// examples declare none.
var extraProfiles = map[string]string{
	"DocumentReference": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference",
}

// Generated resources declare the profiles of the IG examples and use only
// the elements those examples use, plus the must-support extras above.
func TestShapesFollowTheIGExamples(t *testing.T) {
	profiles, elements := fixtureShapes(t)
	g := New(5)
	all := append(g.Directory(), g.HealthcareService())
	for i := 1; i <= 400; i++ {
		all = append(all, g.Referral(i, authoredAt(i), Spec{})...)
	}
	for i := 1; i <= 100; i++ {
		all = append(all, g.Referral(i, authoredAt(i), Spec{AdditionalContent: ContentAll})...)
	}
	seen := map[string]bool{}
	for _, raw := range all {
		m := decode(t, raw)
		typ := m["resourceType"].(string)
		seen[typ] = true
		if profiles[typ] == nil {
			t.Errorf("no IG example of %s to model it on", typ)
			continue
		}
		p := m["meta"].(map[string]any)["profile"].([]any)[0].(string)
		if !profiles[typ][p] && extraProfiles[typ] != p {
			t.Errorf("%s declares %s; the IG examples declare %v", typ, p, profiles[typ])
		}
		for k := range m {
			if !elements[typ][k] && !slices.Contains(extraElements[typ], k) {
				t.Errorf("%s uses %q, which no IG example of it does", typ, k)
			}
		}
	}
	for _, typ := range []string{"Task", "ServiceRequest", "Patient", "Consent", "Condition", "Goal", "Procedure", "Organization", "Practitioner", "PractitionerRole",
		"QuestionnaireResponse", "Observation", "DocumentReference", "HealthcareService"} {
		if !seen[typ] {
			t.Errorf("500 referrals and the directory have no %s", typ)
		}
	}
}
