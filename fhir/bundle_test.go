package fhir

import (
	"encoding/json"
	"reflect"
	"testing"
)

var bundleSeeds = []string{
	`{"resourceType":"Bundle","type":"searchset","meta":{"lastUpdated":"2026-01-01T00:00:00Z"},"total":2,
		"link":[{"relation":"self","url":"http://x/Task"},{"relation":"next","url":"http://x/Task?page=2"}],
		"entry":[{"fullUrl":"http://x/Task/1","resource":{"resourceType":"Task","id":"1","note":[{"text":"a \"b\" }"}]},"search":{"mode":"match"}},
		{"resource":{"resourceType":"Patient","id":"p\u002d1"},"search":{"mode":"include","score":1}}]}`,
	`{"resourceType":"Bundle","type":"batch-response","entry":[
		{"resource":{"resourceType":"Consent","id":"c1"},"response":{"status":"200 OK","etag":"W/\"2\"","lastModified":"2026-01-01T00:00:00Z"}},
		{"response":{"status":"404 Not Found","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}}},
		{"response":{"status":"201 Created","location":"Task/9/_history/1"}}]}`,
	` { "entry" : [ ] , "resourceType" : "Bundle" , "extra" : [ 1 , { "a" : null } ] } `,
	`{"resourceType":"Bundle","entry":null,"meta":null,"link":null}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"t"},"search":null,"response":null,"fullUrl":null}]}`,
	`{"resourceType":"Bundle","entry":[{"resource":[1,2]},{"resource":"text"},{}]}`,
	`{"resourceType":"Bundle","entry":[{"search":{"mode":5}}]}`,
	`{"resourceType":"Bundle","entry":[{"response":{"status":5}}]}`,
	`{"resourceType":"Bundle","entry":[{"response":{"etag":["W/\"1\""]}}]}`,
	`{"resourceType":"Bundle","total":"many"}`,
	`{"resourceType":"Bundle","entry":{}}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"id":"x"}}`,
	`{"resourceType":"Bundle"}{}`,
	`{"resourceType":"Bundle","entry":[{"resource":{"id":"x",}}]}`,
	`[]`, ``, `null`,
}

// readBundle reads what unmarshal reads, and refuses what it refuses.
func TestReadBundleAgreesWithUnmarshal(t *testing.T) {
	for _, s := range bundleSeeds {
		agreeWithUnmarshal(t, []byte(s))
	}
}

func FuzzReadBundle(f *testing.F) {
	for _, s := range bundleSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(agreeWithUnmarshal)
}

func agreeWithUnmarshal(t *testing.T, data []byte) {
	t.Helper()
	var want Bundle
	wantErr := unmarshal(data, &want)
	got, err := readBundle(data)
	for i := range got.Entry {
		got.Entry[i].duplicate = "" // readBundle's own finding, for entryResource: unmarshal makes none
	}
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("readBundle(%q): error %v; unmarshal: %v", data, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		t.Fatalf("readBundle(%q) =\n%s\nunmarshal:\n%s", data, gotJSON, wantJSON)
	}
}

func TestStatusCode(t *testing.T) {
	for status, want := range map[string]int{"200 OK": 200, "404": 404, "201 Created": 201, "": 0, "OK": 0, " 200": 0} {
		if got := statusCode(status); got != want {
			t.Errorf("statusCode(%q) = %d, want %d", status, got, want)
		}
	}
}
