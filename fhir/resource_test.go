package fhir

import (
	"strings"
	"testing"
)

func TestParseResourceReadsIdentityAndKeepsTheBytes(t *testing.T) {
	raw := `{ "note":[{"text":"a \"quoted\" } ] { text"}], "meta" : {"versionId":"7","lastUpdated":"2026-01-01T00:00:00Z"},
		"resourceType":"Task","extension":[[1,2,{"x":"]"}]],"id":"t-1","n":-1.5e3,"b":true,"z":null}`
	r, err := ParseResource([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != "Task" || r.ID != "t-1" || r.Meta.VersionID != "7" || string(r.Raw) != raw {
		t.Errorf("got %s/%s v%s; want Task/t-1 v7 with the bytes kept", r.Type, r.ID, r.Meta.VersionID)
	}
	if task, ok := As[Task](r); !ok || task.Note[0].Text != `a "quoted" } ] { text` {
		t.Errorf("the Task view: %+v, %v; want its note read", task, ok)
	}
}

// What encoding/json read as no value still reads so: null members, and
// names and values with escapes.
func TestParseResourceNullsAndEscapes(t *testing.T) {
	r, err := ParseResource([]byte(`{"resourceType":"Patient","meta":null,"i\u0064":"p\u002d1"}`))
	if err != nil || r.Type != "Patient" || r.ID != "p-1" || r.Meta != (Meta{}) {
		t.Errorf("got %s/%s %+v, %v; want Patient/p-1 without meta", r.Type, r.ID, r.Meta, err)
	}
}

func TestParseResourceRefusesWhatIsNotAResource(t *testing.T) {
	for _, raw := range []string{`{"id":"x"}`, `[]`, `{"resourceType":1}`, `{"resourceType":"Task"`, `{"resourceType":"Task","meta":[]}`, ``,
		`{"resourceType":"Task","id":"t"}{}`, `{"resourceType":"Task","id":"t",}`} {
		if _, err := ParseResource([]byte(raw)); err == nil {
			t.Errorf("ParseResource(%q) succeeded", raw)
		}
	}
}

// Each resource is read once, into the view of its type; a view member of
// an unexpected shape leaves the resource readable, without a view.
func TestParseResourceReadsTheViewOfItsType(t *testing.T) {
	consent, err := ParseResource([]byte(`{"resourceType":"Consent","id":"c1","status":"active","scope":["not","a","concept"],
		"sourceAttachment":{"data":"` + strings.Repeat("QUJD", 1000) + `"}}`))
	if err != nil || consent.Ref() != "Consent/c1" {
		t.Fatalf("a Consent with an odd scope: %s, %v; want it read", consent.Ref(), err)
	}
	if _, ok := As[Consent](consent); ok {
		t.Error("a scope that is not a CodeableConcept was read into the Consent view")
	}
	patient, err := ParseResource([]byte(`{"id":"p1","name":[{"family":"Flores","given":["María"]}],"resourceType":"Patient","birthDate":"1977-10-01"}`))
	p, ok := As[Patient](patient)
	if err != nil || !ok || p.ID != "p1" || p.DisplayName() != "María Flores" || p.BirthDate != "1977-10-01" {
		t.Fatalf("a Patient whose resourceType is not first: %+v, %v, %v", p, ok, err)
	}
	if _, ok := As[Task](patient); ok {
		t.Error("a Patient read as a Task")
	}
	other, err := ParseResource([]byte(`{"resourceType":"Goal","id":"g1"}`))
	if err != nil || other.Ref() != "Goal/g1" {
		t.Fatalf("a type without a view: %s, %v", other.Ref(), err)
	}
}
