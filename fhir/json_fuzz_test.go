package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// The resource and Bundle readers against encoding/json: where encoding/json
// reads a document (numbers kept as written, json.Number) and finds no member
// given twice, our readers give the same members and the same values; where
// it refuses the document's syntax, ours refuse too. The differences the
// readers document are allowed, each named where it is checked:
//   - a member given twice: encoding/json keeps the last, ParseResource
//     refuses the resource (ErrDuplicateMember), and a Bundle is read
//     leniently (json.go: lenient); no values are compared then;
//   - invalid UTF-8: both tolerate it, mangled to U+FFFD (json.go: strict);
//   - shapes: our readers read into types, so an identity member (resourceType,
//     id, meta.versionId, meta.lastUpdated) or a Bundle member that is not of
//     its FHIR shape is refused where encoding/json, reading into any, takes
//     it; a view member of another shape only costs the view (ParseResource).

// FuzzResourceAgainstJSON: ParseResource against encoding/json.
func FuzzResourceAgainstJSON(f *testing.F) {
	for _, s := range resourceSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := ParseResource(raw)
		doc, jerr := readJSON(raw)
		switch {
		case jerr != nil:
			if err == nil {
				t.Fatalf("ParseResource(%q) accepted what encoding/json refuses: %v", raw, jerr)
			}
			return
		}
		m, isObject := doc.(map[string]any)
		want, ok := identityOf(m)
		if duplicateMember(raw) {
			// Refused; for the duplicate when nothing else is wrong first
			// (an identity member of another shape may be found before it).
			if err == nil || (isObject && ok && !errors.Is(err, ErrDuplicateMember)) {
				t.Fatalf("ParseResource(%q) = %v; want ErrDuplicateMember for a member given twice", raw, err)
			}
			return
		}
		if !isObject || !ok {
			if err == nil {
				t.Fatalf("ParseResource(%q) accepted what has no identity of FHIR's shape", raw)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseResource(%q): %v; encoding/json reads it, identity %+v", raw, err, want)
		}
		if r.Type != want.ResourceType || r.ID != want.ID || r.Meta != want.Meta {
			t.Fatalf("ParseResource(%q) = %s/%s %+v; encoding/json reads %+v", raw, r.Type, r.ID, r.Meta, want)
		}
		if !bytes.Equal(r.Raw, raw) {
			t.Fatalf("ParseResource(%q) kept %q", raw, r.Raw)
		}
		if r.view != nil {
			sameView(t, raw, r.view, m)
		}
	})
}

// FuzzBundleAgainstJSON: readBundle (one pass, or apart) against
// encoding/json, Bundle members and every entry's resource.
func FuzzBundleAgainstJSON(f *testing.F) {
	for _, s := range bundleSeeds {
		f.Add([]byte(s))
	}
	for _, s := range bundleHostileSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := readBundle(raw)
		doc, jerr := readJSON(raw)
		if jerr != nil {
			if err == nil {
				t.Fatalf("readBundle(%q) accepted what encoding/json refuses: %v", raw, jerr)
			}
			return
		}
		m, isObject := doc.(map[string]any)
		if duplicateMember(raw) || !isObject || !bundleShape(m) {
			return // lenient or typed: either verdict is allowed (see above)
		}
		if err != nil {
			t.Fatalf("readBundle(%q): %v; encoding/json reads a Bundle of FHIR's shape", raw, err)
		}
		if got, _ := m["resourceType"].(string); b.ResourceType != got {
			t.Fatalf("readBundle(%q): resourceType %q, encoding/json %q", raw, b.ResourceType, got)
		}
		var want bundleRead
		decodeAs(m, &want.Meta, &want.Total, &want.Link)
		if !reflect.DeepEqual(b.Meta, want.Meta) || !reflect.DeepEqual(b.Total, want.Total) || !reflect.DeepEqual(b.Link, want.Link) {
			t.Fatalf("readBundle(%q): meta %v total %v link %v; encoding/json %v %v %v",
				raw, deref(b.Meta), deref(b.Total), b.Link, deref(want.Meta), deref(want.Total), want.Link)
		}
		entries, _ := m["entry"].([]any)
		if len(b.Entry) != len(entries) {
			t.Fatalf("readBundle(%q): %d entries; encoding/json %d", raw, len(b.Entry), len(entries))
		}
		for i, e := range entries {
			sameEntry(t, raw, i, b.Entry[i], e)
		}
	})
}

func sameEntry(t *testing.T, raw []byte, i int, got entryRead, e any) {
	t.Helper()
	em, _ := e.(map[string]any)
	var want entryRead
	decodeAs(em, nil, nil, nil, &want.Search, &want.Response)
	if !reflect.DeepEqual(got.Search, want.Search) || !sameResponse(got.Response, want.Response) {
		t.Fatalf("readBundle(%q) entry %d: search %v response %v; encoding/json %v %v",
			raw, i, deref(got.Search), deref(got.Response), deref(want.Search), deref(want.Response))
	}
	res, given := em["resource"]
	if given = given && res != nil; got.Resource.given != given {
		t.Fatalf("readBundle(%q) entry %d: resource given %v; encoding/json %v", raw, i, got.Resource.given, given)
	}
	if !given {
		return
	}
	rm, isObject := res.(map[string]any)
	id, ok := identityOf(rm)
	if !isObject || !ok {
		if got.Resource.err == nil {
			t.Fatalf("readBundle(%q) entry %d: read a resource without an identity of FHIR's shape", raw, i)
		}
		return
	}
	r := got.Resource
	if r.err != nil || r.Type != id.ResourceType || r.ID != id.ID || r.Meta != id.Meta {
		t.Fatalf("readBundle(%q) entry %d: %s/%s %+v, %v; encoding/json reads %+v", raw, i, r.Type, r.ID, r.Meta, r.err, id)
	}
	if kept, err := readJSON(r.Raw); err != nil || !reflect.DeepEqual(kept, res) {
		t.Fatalf("readBundle(%q) entry %d kept %q (%v), not the entry's resource", raw, i, r.Raw, err)
	}
	if r.view != nil {
		sameView(t, r.Raw, r.view, rm)
	}
}

// sameResponse compares entry responses by what encoding/json can see of
// them: outcome as a JSON value, not its bytes.
func sameResponse(a, b *EntryResponse) bool {
	if a == nil || b == nil {
		return a == b
	}
	ao, _ := readJSON(a.Outcome)
	bo, _ := readJSON(b.Outcome)
	x, y := *a, *b
	x.Outcome, y.Outcome = nil, nil
	return reflect.DeepEqual(x, y) && reflect.DeepEqual(ao, bo)
}

// readJSON is encoding/json's reading of a whole document, numbers as written.
func readJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the value: %v", err)
	}
	return v, nil
}

// duplicateMember reports an object, anywhere in raw, that gives a name
// twice, names compared as encoding/json reads them. raw is valid JSON.
func duplicateMember(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		names  map[string]bool
		object bool
		key    bool // the next string token is a name
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.key {
			if top.names[s] {
				return true
			}
			top.names[s], top.key = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{names: map[string]bool{}, object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended: a name comes next
		}
	}
}

// identityOf is the identity encoding/json reads, and whether its members
// have FHIR's shapes: resourceType a non-empty string, id a string, meta an
// object whose versionId and lastUpdated are strings (each may be absent or
// null).
func identityOf(m map[string]any) (Identity, bool) {
	var id Identity
	ok := m != nil
	ok = ok && str(m, "resourceType", &id.ResourceType) && id.ResourceType != "" && str(m, "id", &id.ID)
	switch meta := m["meta"].(type) {
	case nil:
	case map[string]any:
		ok = ok && str(meta, "versionId", &id.Meta.VersionID) && str(meta, "lastUpdated", &id.Meta.LastUpdated)
	default:
		ok = false
	}
	return id, ok
}

// str reads m[name] into s when it is a string; absent and null leave s
// alone. It reports false for any other value.
func str(m map[string]any, name string, s *string) bool {
	switch v := m[name].(type) {
	case nil:
		return true
	case string:
		*s = v
		return true
	}
	return false
}

var integer = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// bundleShape reports a Bundle whose members have the shapes the readers
// read them into (Bundle, bundleRead), so that they must read it.
func bundleShape(m map[string]any) bool {
	var s string
	ok := str(m, "resourceType", &s) && str(m, "type", &s) && metaShape(m["meta"])
	switch n := m["total"].(type) {
	case nil:
	case json.Number:
		_, err := strconv.Atoi(string(n))
		ok = ok && integer.MatchString(string(n)) && err == nil
	default:
		ok = false
	}
	ok = ok && listOf(m["link"], func(l map[string]any) bool { return str(l, "relation", &s) && str(l, "url", &s) })
	return ok && listOf(m["entry"], func(e map[string]any) bool {
		return str(e, "fullUrl", &s) &&
			objectOf(e["search"], func(o map[string]any) bool { return str(o, "mode", &s) }) &&
			objectOf(e["request"], func(o map[string]any) bool { return str(o, "method", &s) && str(o, "url", &s) }) &&
			objectOf(e["response"], func(o map[string]any) bool {
				return str(o, "status", &s) && str(o, "location", &s) && str(o, "etag", &s) && str(o, "lastModified", &s)
			})
	})
}

func metaShape(v any) bool {
	var s string
	return objectOf(v, func(o map[string]any) bool { return str(o, "versionId", &s) && str(o, "lastUpdated", &s) })
}

// objectOf: v is null, absent, or an object that passes ok.
func objectOf(v any, ok func(map[string]any) bool) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return ok(v)
	}
	return false
}

// listOf: v is null, absent, or a list of objects (or nulls) that pass ok.
func listOf(v any, ok func(map[string]any) bool) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		for _, e := range v {
			if !objectOf(e, ok) {
				return false
			}
		}
		return true
	}
	return false
}

// decodeAs fills the Bundle and entry members named by non-nil pointers
// (meta, total, link, search, response) from what encoding/json read, by
// encoding/json's own rules but from the members of FHIR's exact names only
// (its struct fields would match "outCome" for "outcome"). m's members have
// their shapes (bundleShape).
func decodeAs(m map[string]any, meta **Meta, total **int, link *[]BundleLink, more ...any) {
	for _, d := range []struct {
		name  string
		p     any
		names []string
	}{
		{"meta", meta, []string{"versionId", "lastUpdated"}}, {"total", total, nil}, {"link", link, []string{"relation", "url"}},
	} {
		if !reflect.ValueOf(d.p).IsNil() {
			decodeMember(m, d.name, d.p, d.names)
		}
	}
	for i, p := range more {
		decodeMember(m, []string{"search", "response"}[i], p, [][]string{{"mode"}, {"status", "location", "etag", "lastModified", "outcome"}}[i])
	}
}

func decodeMember(m map[string]any, name string, p any, names []string) {
	v, ok := m[name]
	if !ok || v == nil {
		return
	}
	b, err := json.Marshal(exactly(v, names))
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(b, p); err != nil {
		panic(fmt.Sprintf("%s %s: %v", name, b, err))
	}
}

// exactly is v with only the members names in its object, or in each
// object of its list.
func exactly(v any, names []string) any {
	switch v := v.(type) {
	case map[string]any:
		kept := map[string]any{}
		for _, n := range names {
			if x, ok := v[n]; ok {
				kept[n] = x
			}
		}
		return kept
	case []any:
		list := make([]any, len(v))
		for i, x := range v {
			list[i] = exactly(x, names)
		}
		return list
	}
	return v
}

// sameView checks a typed view against encoding/json's reading of the
// resource: every member the view holds is in the resource with the same
// value (a zero in the view may stand for an absent or null member).
func sameView(t *testing.T, raw []byte, view any, m map[string]any) {
	t.Helper()
	b, err := jsonv2.Marshal(view, jsonv2.OmitZeroStructFields(true))
	if err != nil {
		t.Fatalf("view of %q does not marshal: %v", raw, err)
	}
	v, err := readJSON(b)
	if err != nil {
		t.Fatalf("view of %q marshals to %q: %v", raw, b, err)
	}
	if path, ok := within(v, m, ""); !ok {
		t.Fatalf("the %T view of %q holds %s=%v, not what encoding/json reads there (view %s)", view, raw, path, at(v, path), b)
	}
}

// within reports whether v (a view's member, as JSON) is what the resource
// has: the same strings and booleans, lists of the same length, objects
// whose members are within the resource's. A zero value stands for absent.
func within(v, o any, path string) (string, bool) {
	if o == nil {
		return path, zero(v)
	}
	switch v := v.(type) {
	case map[string]any:
		om, ok := o.(map[string]any)
		if !ok {
			return path, false
		}
		for k, x := range v {
			if p, ok := within(x, om[k], path+"/"+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		ol, ok := o.([]any)
		if !ok || len(ol) != len(v) {
			return path, false
		}
		for i, x := range v {
			if p, ok := within(x, ol[i], path+"/"+strconv.Itoa(i)); !ok {
				return p, false
			}
		}
		return "", true
	}
	return path, reflect.DeepEqual(v, o)
}

func zero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case map[string]any:
		for _, x := range v {
			if !zero(x) {
				return false
			}
		}
		return true
	case []any:
		return len(v) == 0
	}
	return false
}

// at is v's member at path, for messages.
func at(v any, path string) any {
	for _, k := range regexp.MustCompile(`[^/]+`).FindAllString(path, -1) {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, _ := strconv.Atoi(k)
			if i < len(x) {
				v = x[i]
			}
		}
	}
	return v
}

var resourceSeeds = []string{
	`{"resourceType":"Task","id":"t1","meta":{"versionId":"3","lastUpdated":"2026-01-01T00:00:00Z"},"status":"requested",
		"intent":"order","focus":{"reference":"ServiceRequest/s1"},"for":{"reference":"Patient/p1","display":"A B"},
		"owner":{"reference":"Organization/o"},"note":[{"text":"n","time":"2026-01-01"}],
		"input":[{"type":{"text":"x"},"valueString":"v"}],"output":[{"type":{"coding":[{"code":"c"}]},"valueReference":{"reference":"Procedure/1"}}]}`,
	`{"resourceType":"Patient","id":"p","name":[{"given":["A",null],"family":"B"}],"telecom":[{"system":"phone","value":"1"}],"birthDate":"2000-01-01"}`,
	`{"resourceType":"Consent","id":"c","status":"active","scope":{"coding":[{"code":"patient-privacy"}]}}`,
	`{"resourceType":"CapabilityStatement","software":{"name":"S"},"rest":[{"resource":[{"type":"Procedure","conditionalCreate":true,"interaction":[{"code":"create"}]}]}]}`,
	`{"resourceType":"Task","id":null,"meta":null,"status":null,"for":null,"note":null}`,
	`{"resourceType":"Task","id":5}`, `{"resourceType":"Task","meta":[]}`, `{"resourceType":""}`, `{"resourceType":1}`,
	`{"resourceType":"Task","Status":"x","RESOURCETYPE":"y"}`,
	`{"resourceType":"Task","status":7}`, `{"resourceType":"Patient","name":"not a list"}`,
	`{"resourceType":"Observation","valueQuantity":{"value":1e400}}`, `{"resourceType":"X","n":-0.0e-0,"big":123456789012345678901234567890}`,
	`{"resourceType":"Task","id":"a\u0000b","note":[{"text":"\ud800"}]}`, "{\"resourceType\":\"Task\",\"id\":\"\xff\xfe\"}",
	"{\"resourceType\":\"Task\",\"\xff\":1,\"\xfe\":2}", `{"resourceType":"Task","\ufffd":1,"\ud800":2}`,
	`{"resourceType":"Task","id":"t","id":"t"}`, `{"resourceType":"T\u0061sk","\u0069d":"x"}`,
	`{"resourceType":"Task","input":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	`{"resourceType":"Task"} `, `{"resourceType":"Task"}x`, ` {"resourceType":"Task"}`, `{"resourceType":"Task",}`,
	"\ufeff{\"resourceType\":\"Task\"}", `[]`, `null`, `"Task"`, ``, `{`,
}

var bundleHostileSeeds = []string{
	`{"resourceType":"Bundle","total":1e400}`, `{"resourceType":"Bundle","total":1.0}`, `{"resourceType":"Bundle","total":-0}`,
	`{"resourceType":"Bundle","total":99999999999999999999}`, `{"resourceType":"Bundle","meta":{"versionId":1}}`,
	`{"resourceType":"Bundle","entry":[{"fullUrl":5,"resource":{"resourceType":"Task","id":"t"}}]}`,
	`{"resourceType":"Bundle","entry":[null,{"resource":{"resourceType":"Task","id":"x","meta":{"versionId":"1"}}},{"search":{"mode":"match"}}]}`,
	`{"resourceType":"Bundle","entry":[{"resource" :  {"resourceType":"Task","id":"sp"} ,"search":{"mode":"match"}}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","name":[{"given":"A"}]}}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"\u0000"},"response":{"status":"200","outcome":{"a":[1,2]}}}]}`,
	"{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Task\",\"id\":\"\xc3\"}}]}",
	`{"resourceType":"Bundle","link":[{"relation":"next","url":"https://x/Task?page=2"},null]}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"t","x":[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]}}]}`,
}
