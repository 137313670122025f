package fhir

import (
	"strings"
	"testing"
)

// A narrow view reads its members, however the others look, also where the
// server escaped letters of a name.
func TestDecodeReadsOnlyTheMembersOfTheView(t *testing.T) {
	type consentStatus struct {
		Status string `json:"status"`
	}
	raw := []byte(`{"resourceType":"Consent","id":"c1","provision":{"type":"permit","period":{"start":"2025"}},
		"st\u0061tus":"active","scope":["not","a","concept"],"sourceAttachment":{"data":"` + strings.Repeat("QUJD", 1000) + `"}}`)
	got, err := DecodeNarrow[consentStatus](raw)
	if err != nil || got.Status != "active" {
		t.Fatalf("Decode = %+v, %v; want status active", got, err)
	}
	// The whole view reads the same status, and fails on the scope it declares.
	if _, err := Decode[Consent](raw); err == nil {
		t.Fatal("a scope that is not a CodeableConcept decoded into the Consent view")
	}
}

func TestDecodeNarrowAsDecode(t *testing.T) {
	raw := []byte(`{"resourceType":"Patient","id":"p1","name":[{"family":"Flores","given":["María"]}],
		"gender":"female","gender":"other","birthDate":"1977-10-01"}`)
	p, err := DecodeNarrow[Patient](raw)
	if err != nil || p.ID != "p1" || p.DisplayName() != "María Flores" || p.BirthDate != "1977-10-01" {
		t.Fatalf("Decode = %+v, %v", p, err)
	}
	if p.Gender != "other" {
		t.Errorf("gender %q: the last of duplicate members should win, as before", p.Gender)
	}
	type bad struct {
		Name string `json:"name"` // a Patient's name is an array
	}
	if _, err := DecodeNarrow[bad](raw); err == nil {
		t.Error("a member of the wrong shape decoded")
	}
	for _, notObject := range []string{`[]`, `"Patient"`, `{"id":`} {
		if _, err := DecodeNarrow[Patient]([]byte(notObject)); err == nil {
			t.Errorf("Decode(%s) succeeded", notObject)
		}
	}
	// A view with an untagged field is decoded whole.
	type untagged struct{ Gender string }
	if _, err := DecodeNarrow[untagged](raw); err != nil {
		t.Errorf("untagged view: %v", err)
	}
}
