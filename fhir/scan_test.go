package fhir

import (
	"encoding/json"
	"testing"
)

func TestParseResourceReadsIdentityOnly(t *testing.T) {
	raw := `{ "note":[{"text":"a \"quoted\" } ] { text"}], "meta" : {"versionId":"7","lastUpdated":"2026-01-01T00:00:00Z"},
		"resourceType":"Task","extension":[[1,2,{"x":"]"}]],"id":"t-1","n":-1.5e3,"b":true,"z":null}`
	r, err := ParseResource([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != "Task" || r.ID != "t-1" || r.Meta.VersionID != "7" || string(r.Raw) != raw {
		t.Errorf("got %s/%s v%s; want Task/t-1 v7 with the bytes kept", r.Type, r.ID, r.Meta.VersionID)
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
	for _, raw := range []string{`{"id":"x"}`, `[]`, `{"resourceType":1}`, `{"resourceType":"Task"`, `{"resourceType":"Task","meta":[]}`, ``} {
		if _, err := ParseResource([]byte(raw)); err == nil {
			t.Errorf("ParseResource(%q) succeeded", raw)
		}
	}
}

func TestTopLevelMatchesEncodingJSON(t *testing.T) {
	raw := []byte(`{"a":{"b":[1,{"c":"}"}]},"s":"x\\\\","n":12,"arr":[],"o":{}}`)
	var want map[string]json.RawMessage
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	if err := topLevel(raw, func(name, v []byte) bool { got[string(name)] = string(v); return true }); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got[k] != string(v) {
			t.Errorf("member %q = %s; want %s", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d members, want %d", len(got), len(want))
	}
}
