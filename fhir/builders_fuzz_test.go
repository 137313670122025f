package fhir

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// What Referral Desk sends is valid JSON that ParseResource reads back, and
// an update touches only what the IG lets a recipient change: a Task's
// status, statusReason and output (workflowMembers; SDOHCC Task for Referral
// Management), a HealthcareService's capacity extension. Every other member
// keeps its name, its position and its exact bytes. The server copy the
// builders start from is one ParseResource accepted (the app never builds
// on another: actions.go, capacity.go), so no member is given twice in it.

// FuzzApplyTaskUpdate: a status change built on a Task.
func FuzzApplyTaskUpdate(f *testing.F) {
	for _, s := range taskSeeds {
		f.Add([]byte(s), "accepted", "", "", "", uint8(0))
		f.Add([]byte(s), "rejected", "We are at capacity", CodeNoCapacity, "", uint8(0))
		f.Add([]byte(s), "completed", "", "", "Food pantry", uint8(2))
	}
	f.Add([]byte(taskSeeds[0]), "", "", "", "", uint8(0))
	f.Add([]byte(taskSeeds[0]), "a\"b\x00\xff", "\u2028<>&", "c\xfe", "\ud7ff", uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, status, reason, code, service string, outputs uint8) {
		u := TaskUpdate{Status: status, Reason: reason}
		if code != "" {
			u.ReasonCode = &Coding{System: SystemSDOHTemporary, Code: code}
		}
		for i := range int(outputs % 4) {
			u.AddOutputs = append(u.AddOutputs, TaskIO{Type: CodeableConcept{Text: service},
				ValueReference: &Reference{Reference: "Procedure/p" + strconv.Itoa(i)}})
		}
		out, err := ApplyTaskUpdate(raw, u) // never panics, whatever raw is
		if _, perr := ParseResource(raw); perr != nil {
			return
		}
		old := topMembers(t, raw)
		outputOK := true
		if v, ok := old["output"]; ok && len(u.AddOutputs) > 0 {
			_, isList := readJSONOrNil(v).([]any)
			outputOK = isList || string(v) == "null"
		}
		switch {
		case status == "" || !outputOK:
			if err == nil {
				t.Fatalf("ApplyTaskUpdate(%q, %+v) = %q; want an error (no status, or output not a list)", raw, u, out)
			}
			return
		case err != nil:
			t.Fatalf("ApplyTaskUpdate(%q, %+v): %v", raw, u, err)
		}
		sent := readBack(t, out)
		changed := map[string]bool{"status": true, "statusReason": true, "output": len(u.AddOutputs) > 0}
		sameOtherMembers(t, raw, out, changed, reason == "")
		if utf8.ValidString(status) && sent["status"] != status {
			t.Fatalf("ApplyTaskUpdate(%q): status %v, want %q", raw, sent["status"], status)
		}
		wantReason := map[string]any(nil)
		if reason != "" {
			wantReason = map[string]any{"text": reason}
			if code != "" {
				wantReason["coding"] = []any{map[string]any{"system": SystemSDOHTemporary, "code": code}}
			}
		}
		if allValid(reason, code) && !sameValue(sent["statusReason"], wantReason) {
			t.Fatalf("ApplyTaskUpdate(%q, %+v): statusReason %v, want %v", raw, u, sent["statusReason"], wantReason)
		}
		if len(u.AddOutputs) > 0 {
			sameOutputs(t, raw, old["output"], topMembers(t, out)["output"], u.AddOutputs)
		}
	})
}

// sameOutputs: the Task's outputs, each with its bytes, then the added ones.
func sameOutputs(t *testing.T, raw, before, after []byte, added []TaskIO) {
	t.Helper()
	was, now := listValues(t, before), listValues(t, after)
	if len(now) != len(was)+len(added) {
		t.Fatalf("ApplyTaskUpdate(%q): %d outputs, want %d kept and %d added", raw, len(now), len(was), len(added))
	}
	for i, item := range was {
		if !bytes.Equal(now[i], item) {
			t.Fatalf("ApplyTaskUpdate(%q): output %d is %s, was %s", raw, i, now[i], item)
		}
	}
	for i, io := range added {
		var got TaskIO
		if err := json.Unmarshal(now[len(was)+i], &got); err != nil || (utf8.ValidString(io.Type.Text) && !reflect.DeepEqual(got, io)) {
			t.Fatalf("ApplyTaskUpdate(%q): added output %s (%v), want %+v", raw, now[len(was)+i], err, io)
		}
	}
}

// FuzzSetCapacity: the capacity extension set on a HealthcareService.
func FuzzSetCapacity(f *testing.F) {
	for _, s := range serviceSeeds {
		f.Add([]byte(s), "available", "")
		f.Add([]byte(s), "no-capacity", "full until May \u2013 call")
	}
	f.Add([]byte(serviceSeeds[0]), "", "\x00\xff\"")
	f.Fuzz(func(t *testing.T, raw []byte, code, note string) {
		out, err := SetCapacity(raw, code, note)
		if _, perr := ParseResource(raw); perr != nil {
			return
		}
		old := topMembers(t, raw)
		if v, ok := old["extension"]; ok {
			if _, isList := readJSONOrNil(v).([]any); !isList && string(v) != "null" {
				if err == nil {
					t.Fatalf("SetCapacity(%q) = %q; want an error for an extension that is not a list", raw, out)
				}
				return
			}
		}
		if err != nil {
			t.Fatalf("SetCapacity(%q, %q, %q): %v", raw, code, note, err)
		}
		readBack(t, out)
		sameOtherMembers(t, raw, out, map[string]bool{"extension": true}, false)
		var kept [][]byte
		for _, e := range listValues(t, old["extension"]) {
			if m, _ := readJSONOrNil(e).(map[string]any); m == nil || m["url"] != ExtensionCapacity {
				kept = append(kept, e)
			}
		}
		now := listValues(t, topMembers(t, out)["extension"])
		if len(now) != len(kept)+1 {
			t.Fatalf("SetCapacity(%q): %d extensions, want the %d that are not capacity and one capacity", raw, len(now), len(kept))
		}
		for i, e := range kept {
			if !bytes.Equal(now[i], e) {
				t.Fatalf("SetCapacity(%q): extension %d is %s, was %s: only the capacity extension may change", raw, i, now[i], e)
			}
		}
		parts := []any{map[string]any{"url": "capacityStatus", "valueCodeableConcept": map[string]any{
			"coding": []any{map[string]any{"system": SystemSDOHTemporary, "code": code}}}}}
		if code == "" {
			parts[0].(map[string]any)["valueCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": SystemSDOHTemporary}}}
		}
		if note != "" {
			parts = append(parts, map[string]any{"url": "capacityNotes", "valueString": note})
		}
		want := map[string]any{"url": ExtensionCapacity, "extension": parts}
		if got := readJSONOrNil(now[len(kept)]); allValid(code, note) && !sameValue(got, want) {
			t.Fatalf("SetCapacity(%q, %q, %q): capacity extension %s, want %v", raw, code, note, now[len(kept)], want)
		}
	})
}

// FuzzOutcomeJSON: the Procedure and Observation posted on completion.
func FuzzOutcomeJSON(f *testing.F) {
	f.Add("food-insecurity", "Patient/p1", "ServiceRequest/s1", "Organization/o", "2026-11-02", "urn:uuid:1", "467771000124109", "enrolled", uint8(1))
	f.Add("", "", "", "", "", "", "", "", uint8(0))
	f.Add("\x00\xff", "<script>", "\"}", "\u2028", "9999-99-99T99:99:99Z", "urn:uuid:\n", "\\", "waitlist", uint8(3))
	f.Fuzz(func(t *testing.T, category, subject, basedOn, performer, performed, identifier, service, status string, reasons uint8) {
		o := Outcome{Category: Coding{System: SystemSDOHTemporary, Code: category}, Subject: Reference{Reference: subject},
			BasedOn: Reference{Reference: basedOn}, Performer: Reference{Reference: performer}, Performed: performed}
		for i := range int(reasons % 3) {
			o.Reasons = append(o.Reasons, Reference{Reference: "Condition/c" + strconv.Itoa(i)})
		}
		svc := Coding{System: SystemSNOMED, Code: service, Display: service}
		valid := allValid(category, subject, basedOn, performer, performed, identifier, service, status)

		p := o.ProcedureJSON(identifier, svc)
		names := []string{"resourceType", "meta", "identifier", "status", "category", "code", "subject", "performedDateTime", "basedOn", "performer"}
		if len(o.Reasons) > 0 {
			names = append(names, "reasonReference")
		}
		got := builtResource(t, p, "Procedure", names)
		var proc struct {
			Identifier []struct{ System, Value string }
			Status     string
			Category   CodeableConcept
			Code       CodeableConcept
			Subject    Reference
			Performed  string `json:"performedDateTime"`
			BasedOn    []Reference
			Performer  []struct{ Actor Reference }
			Reasons    []Reference `json:"reasonReference"`
		}
		json.Unmarshal(p, &proc)
		if valid && (len(proc.Identifier) != 1 || proc.Identifier[0].Value != identifier || proc.Identifier[0].System != SystemURI ||
			proc.Status != StatusCompleted || !proc.Category.Has(o.Category.System, o.Category.Code) || !reflect.DeepEqual(proc.Code.Coding, []Coding{svc}) ||
			proc.Subject != o.Subject || proc.Performed != performed || !reflect.DeepEqual(proc.BasedOn, []Reference{o.BasedOn}) ||
			len(proc.Performer) != 1 || proc.Performer[0].Actor != o.Performer || !slices.Equal(proc.Reasons, o.Reasons)) {
			t.Fatalf("ProcedureJSON(%+v, %q, %+v) = %s: not what was asked (%v)", o, identifier, svc, p, got)
		}

		e := o.EnrollmentJSON(identifier, svc, status, status)
		builtResource(t, e, "Observation", []string{"resourceType", "meta", "identifier", "status", "category", "code", "subject",
			"effectiveDateTime", "performer", "valueCodeableConcept"})
		var obs struct {
			Identifier []struct{ System, Value string }
			Subject    Reference
			Effective  string `json:"effectiveDateTime"`
			Performer  []Reference
			Value      CodeableConcept `json:"valueCodeableConcept"`
		}
		json.Unmarshal(e, &obs)
		if valid && (len(obs.Identifier) != 1 || obs.Identifier[0].Value != identifier || obs.Subject != o.Subject ||
			obs.Effective != performed || !reflect.DeepEqual(obs.Performer, []Reference{o.Performer}) ||
			(status != "" && !obs.Value.Has(SystemSDOHTemporary, status))) {
			t.Fatalf("EnrollmentJSON(%+v, %q, %q) = %s: not what was asked", o, identifier, status, e)
		}
	})
}

// builtResource checks a built resource: valid JSON that ParseResource
// reads as typ, with exactly the members names.
func builtResource(t *testing.T, b []byte, typ string, names []string) map[string]any {
	t.Helper()
	r, err := ParseResource(b)
	if !json.Valid(b) || err != nil || r.Type != typ {
		t.Fatalf("built %s %q: valid %v, read %s, %v", typ, b, json.Valid(b), r.Type, err)
	}
	m := readBack(t, b)
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(names))
	if !slices.Equal(got, want) {
		t.Fatalf("built %s %s has members %q, want %q", typ, b, got, want)
	}
	return m
}

// readBack checks what is sent: valid JSON, one object that ParseResource
// reads (so no member is given twice), as encoding/json reads it.
func readBack(t *testing.T, out []byte) map[string]any {
	t.Helper()
	if _, err := ParseResource(out); !json.Valid(out) || err != nil {
		t.Fatalf("built %q: valid JSON %v, ParseResource: %v", out, json.Valid(out), err)
	}
	m, _ := readJSONOrNil(out).(map[string]any)
	return m
}

// sameOtherMembers: out has raw's members in raw's order, the same names
// (as read) and the same bytes, except the changed ones, which keep their
// place or come last; with dropReason, statusReason is gone.
func sameOtherMembers(t *testing.T, raw, out []byte, changed map[string]bool, dropReason bool) {
	t.Helper()
	before, after := memberList(t, raw), memberList(t, out)
	var want []string
	for _, m := range before {
		if !(dropReason && m.Name == "statusReason") {
			want = append(want, m.Name)
		}
	}
	for _, name := range []string{"status", "statusReason", "output", "extension"} {
		if changed[name] && !(dropReason && name == "statusReason") && !slices.Contains(want, name) {
			want = append(want, name)
		}
	}
	got := make([]string, len(after))
	for i, m := range after {
		got[i] = m.Name
	}
	if !slices.Equal(got, want) {
		t.Fatalf("built from %q: members %q, want %q", raw, got, want)
	}
	for _, m := range before {
		if changed[m.Name] || (dropReason && m.Name == "statusReason") {
			continue
		}
		i := slices.Index(got, m.Name)
		if !bytes.Equal(after[i].Value, m.Value) {
			t.Fatalf("built from %q: member %q is %s, was %s; only %v may change", raw, m.Name, after[i].Value, m.Value, changed)
		}
	}
}

// memberList is an object's top-level members with their bytes, read by
// jsontext (not by the code under test's splitObject).
func memberList(t *testing.T, raw []byte) []Member {
	t.Helper()
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		t.Fatalf("%q is not an object: %v", raw, err)
	}
	var ms []Member
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		name := tok.String() // valid only until the next read
		v, err := dec.ReadValue()
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		ms = append(ms, Member{Name: name, Value: bytes.Clone(v)})
	}
	return ms
}

func topMembers(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, mb := range memberList(t, raw) {
		m[mb.Name] = mb.Value
	}
	return m
}

// listValues is a JSON list's items with their bytes; null or absent is none.
func listValues(t *testing.T, raw []byte) [][]byte {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		t.Fatalf("%q is not a list: %v", raw, err)
	}
	var items [][]byte
	for dec.PeekKind() != ']' {
		v, err := dec.ReadValue()
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		items = append(items, bytes.Clone(v))
	}
	return items
}

func readJSONOrNil(raw []byte) any {
	v, _ := readJSON(raw)
	return v
}

// sameValue compares a value read with encoding/json (numbers as
// json.Number) with one written out in Go.
func sameValue(got, want any) bool {
	if want == nil {
		return got == nil
	}
	b, _ := json.Marshal(want)
	return reflect.DeepEqual(got, readJSONOrNil(b))
}

var taskSeeds = []string{
	`{"resourceType":"Task","id":"t1","meta":{"versionId":"3"},"status":"requested","intent":"order",
  "statusReason" : {"text":"old"}, "output":[ {"type": {"text":"first"}} , {"type":{"text":"2"}}],"note":[{"text":"keep\u00e9  "}]}`,
	`{"resourceType":"Task","id":"t2","status":"on-hold","output":null,"businessStatus":{"text":"b"},"lastModified":"2026-01-01"}`,
	`{"resourceType":"Task","output":{},"st\u0061tus":"x"}`,
	`{"resourceType":"Task","output":"text","statusReason":null}`,
	"{\"resourceType\":\"Task\",\"\xff\":\"\xfe\",\"text\":{\"div\":\"<div>\u2028</div>\"},\"n\":1e400}",
	` { "resourceType" : "Task" , "extension" : [ { "url" : "x" } ] } `,
	`{"resourceType":"Task","meta":{"lastUpdated":"2026-01-01T00:00:00Z","tag":[{"code":"t"}]},"identifier":[{"value":"1"}],"x":[[[[[[[[[[[]]]]]]]]]]]}`,
}

var serviceSeeds = []string{
	`{"resourceType":"HealthcareService","id":"hs","extension":[{"url":"http://example.org/other","valueString":"keep"},
  {"url":"` + ExtensionCapacity + `","extension":[{"url":"capacityStatus","valueCodeableConcept":{"coding":[{"code":"available"}]}}]}],"name":"Pantry"}`,
	`{"resourceType":"HealthcareService","id":"hs"}`,
	`{"resourceType":"HealthcareService","extension":null}`,
	`{"resourceType":"HealthcareService","extension":{}}`,
	`{"resourceType":"HealthcareService","extension":[1,"x",null,{"url":5},{"URL":"` + ExtensionCapacity + `"},{"Url":"x","url":"` + ExtensionCapacity + `"}]}`,
	`{"resourceType":"HealthcareService","extension":[ {"url":"` + ExtensionCapacity + `"} , {"url":"` + ExtensionCapacity + `"} ]}`,
}

// allValid reports whether every string is valid UTF-8 on its own: joined,
// two broken halves ("\xd3", "\xb0") can make one valid character, which
// hid from the oracle that each was sent as U+FFFD.
func allValid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
