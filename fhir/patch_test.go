package fhir

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSetMembersKeepsOtherBytesAndOrder(t *testing.T) {
	raw := []byte(`{"resourceType":"Task", "id":"t1",
  "status":"requested", "extension":[ {"url":"x", "valueString":"a  b"} ],
  "statusReason":{"text":"old"}, "note":[{"text":"keep\u00e9"}]}`)
	got, err := SetMembers(raw, []Member{{"status", json.RawMessage(`"accepted"`)}, {"output", json.RawMessage(`[]`)}}, "statusReason")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Task","id":"t1","status":"accepted","extension":[ {"url":"x", "valueString":"a  b"} ],"note":[{"text":"keep\u00e9"}],"output":[]}`
	if string(got) != want {
		t.Errorf("SetMembers changed more than asked:\n got %s\nwant %s", got, want)
	}
}

func TestSetMembersRejectsNonObjects(t *testing.T) {
	for _, raw := range []string{`[]`, `"x"`, `{"a":1} trailing`, `{"a":}`, ``} {
		if _, err := SetMembers([]byte(raw), nil); err == nil {
			t.Errorf("SetMembers(%q) succeeded; want an error for input that is not one JSON object", raw)
		}
	}
}

func TestApplyTaskUpdateAppendsOutputsAndDropsStaleReason(t *testing.T) {
	raw := []byte(`{"resourceType":"Task","id":"t1","status":"on-hold","statusReason":{"text":"waiting"},"output":[ {"type": {"text":"first"}} ],"owner":{"reference":"Organization/o"}}`)
	got, err := ApplyTaskUpdate(raw, TaskUpdate{Status: "in-progress", AddOutputs: []TaskIO{{Type: CodeableConcept{Text: "second"}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if strings.Contains(s, "statusReason") {
		t.Errorf("the on-hold reason survived resuming: %s", s)
	}
	if !strings.Contains(s, `"output":[{"type": {"text":"first"}},{"type":{"text":"second"}}]`) {
		t.Errorf("existing output not kept byte for byte, or new one not appended: %s", s)
	}
	if !strings.Contains(s, `"owner":{"reference":"Organization/o"}`) {
		t.Errorf("owner lost: %s", s)
	}
}

func TestApplyTaskUpdateSetsReason(t *testing.T) {
	got, err := ApplyTaskUpdate([]byte(`{"resourceType":"Task","status":"requested"}`), TaskUpdate{Status: "rejected", Reason: "At capacity"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"resourceType":"Task","status":"rejected","statusReason":{"text":"At capacity"}}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSplitReference(t *testing.T) {
	cases := []struct {
		in, typ, id string
		ok          bool
	}{
		{"Patient/p1", "Patient", "p1", true},
		{"https://x.org/fhir/Patient/p1/_history/3", "Patient", "p1", true},
		{"#contained", "", "", false},
		{"p1", "", "", false},
		{"", "", "", false},
		{"patient/p1", "", "", false},
	}
	for _, c := range cases {
		typ, id, ok := SplitReference(c.in)
		if typ != c.typ || id != c.id || ok != c.ok {
			t.Errorf("SplitReference(%q) = %q, %q, %v; want %q, %q, %v", c.in, typ, id, ok, c.typ, c.id, c.ok)
		}
	}
}
