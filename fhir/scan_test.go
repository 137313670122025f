package fhir

import (
	"encoding/json"
	"strings"
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

// checkValue accepts what encoding/json's Valid accepts, and nothing else.
func TestCheckValueAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range checkValueSeeds {
		agreeWithValid(t, []byte(s))
	}
}

var checkValueSeeds = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-05`, `1e`, `1e+`, `-1.5e3`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `nullnull`, ` {"a" : [1 , 2 ,{"b":null}] } `, `{"a":1,}`, `[1,]`,
	`{"a"}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `[1 2]`, `"\u00e9\n\"\\\/\b\f\r\t"`, `"\u12g4"`, `"\x"`, `"a` + "\x01" + `"`,
	"\"caf\xc3\xa9\"", "\"\xff\xfe\"", `"\ud800"`, `{"a":"}"}`, `[[[]]]`, `[[[]]`, `{"a":{"b":{}}}}`, `"abc`, `"\`, `"\u12`,
	"\t[\r\n1\n]\t",
}

func agreeWithValid(t *testing.T, b []byte) {
	t.Helper()
	end := checkValue(b, 0, 0)
	got := end >= 0 && skipSpace(b, end) == len(b)
	if want := json.Valid(b); got != want {
		t.Errorf("checkValue(%q): valid = %v (end %d); encoding/json says %v", b, got, end, want)
	}
}

// Strings are checked eight bytes at a time: every byte value, at every
// place in and around such a block, must be found or let through as
// encoding/json would.
func TestCheckValueSeesEveryByteOfALongString(t *testing.T) {
	for c := range 256 {
		for at := range 17 {
			for _, rest := range []string{`bcdefghijk"`, `"bcdefghijk"`} {
				s := append([]byte(`"`+strings.Repeat("a", at)), byte(c))
				agreeWithValid(t, append(s, rest...))
			}
		}
	}
}

func FuzzCheckValue(f *testing.F) {
	for _, s := range checkValueSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(agreeWithValid)
}

func TestCheckValueRefusesDeepNesting(t *testing.T) {
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	if end := checkValue(deep(maxDepth), 0, 0); end != 2*maxDepth {
		t.Errorf("%d nested arrays: end %d, want %d", maxDepth, end, 2*maxDepth)
	}
	if end := checkValue(deep(maxDepth+1), 0, 0); end != -1 {
		t.Errorf("%d nested arrays accepted (end %d); encoding/json refuses them", maxDepth+1, end)
	}
	if json.Valid(deep(maxDepth + 1)) {
		t.Errorf("encoding/json accepts %d nested arrays: maxDepth no longer matches it", maxDepth+1)
	}
}

// FuzzUnquote holds unquote to encoding/json on every JSON string.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"W/\"3\""`, `"a\\b\/c\b\f\n\r\t"`, `"\u00e9\""`, `"tab\	"`, `"\x"`, `"caf` + "\xe9" + `\""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		var want string
		if json.Unmarshal(s, &want) != nil || !json.Valid(s) {
			return
		}
		got, err := unquote(s)
		if err != nil || string(got) != want {
			t.Errorf("unquote(%q) = %q, %v; encoding/json reads %q", s, got, err, want)
		}
	})
}
