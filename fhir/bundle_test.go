package fhir

import (
	"fmt"
	"reflect"
	"testing"
)

func TestStatusCode(t *testing.T) {
	for status, want := range map[string]int{"200 OK": 200, "404": 404, "201 Created": 201, "": 0, "OK": 0, " 200": 0} {
		if got := statusCode(status); got != want {
			t.Errorf("statusCode(%q) = %d, want %d", status, got, want)
		}
	}
}

var bundleSeeds = []string{
	`{"resourceType":"Bundle","type":"searchset","meta":{"lastUpdated":"2026-01-01T00:00:00Z"},"total":2,
		"link":[{"relation":"self","url":"http://x/Task"},{"relation":"next","url":"http://x/Task?page=2"}],
		"entry":[{"fullUrl":"http://x/Task/1","resource":{"resourceType":"Task","id":"1","note":[{"text":"a \"b\" }"}]},"search":{"mode":"match"}},
		{"resource":{"resourceType":"Patient","id":"p\u002d1"},"search":{"mode":"include","score":1}}]}`,
	`{"resourceType":"Bundle","type":"batch-response","entry":[
		{"resource":{"resourceType":"Consent","id":"c1"},"response":{"status":"200 OK","etag":"W/\"2\"","lastModified":"2026-01-01T00:00:00Z"}},
		{"response":{"status":"404 Not Found","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}}},
		{"response":{"status":"201 Created","location":"Task/9/_history/1"}}]}`,
	` { "entry" : [ { "resource" : { "id" : "t" , "resourceType" : "Task" } } ] , "resourceType" : "Bundle" } `,
	`{"resourceType":"Bundle","entry":null,"meta":null,"link":null}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"t"},"search":null,"response":null,"fullUrl":null}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":[1,2]},{"resource":"text"},{},{"resource":null}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"a","id":"b"}},{"resource":{"resourceType":"Task","id":"c"}}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Consent","id":"c","scope":[1]}},{"resource":{"resourceType":"Task","id":"c"}}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"id":"x"}},{"resource":{"resourceType":5}}]}`,
	`{"resourceType":"Bundle","type":"a","type":"b"}`,
	`{"resourceType":"Bundle","entry":{}}`, `{"resourceType":"Bundle"}{}`, `[]`, ``, `null`,
}

// Read in one pass or apart, a Bundle reads the same: the same entries,
// the same resources and views, the same refusals.
func TestReadBundleInOnePassAsApart(t *testing.T) {
	for _, s := range bundleSeeds {
		sameBundle(t, []byte(s))
	}
}

func FuzzReadBundle(f *testing.F) {
	for _, s := range bundleSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(sameBundle)
}

func sameBundle(t *testing.T, data []byte) {
	t.Helper()
	got, err := readBundle(data)
	want, wantErr := readBundleApart(data)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("readBundle(%q): %v; apart: %v", data, err, wantErr)
	}
	if g, w := describe(got), describe(want); g != w {
		t.Fatalf("readBundle(%q) =\n%s\napart:\n%s", data, g, w)
	}
}

// describe is what a Bundle read says, values rather than pointers.
func describe(b bundleRead) string {
	s := fmt.Sprintf("%s %+v %+v\n", b.ResourceType, deref(b.Meta), b.Link)
	for _, e := range b.Entry {
		r := e.Resource
		s += fmt.Sprintf("- %v %s/%s %+v %s view %+v err %v; %+v %+v\n", r.given, r.Type, r.ID, r.Meta, r.Raw,
			deref(r.view), r.err, deref(e.Search), deref(e.Response))
	}
	return s
}

// deref is what p points at, for printing.
func deref(p any) any {
	if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Elem().Interface()
	}
	return p
}
