package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// manyNames is an object member list of n distinct names, m0 … m(n-1).
func manyNames(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `"m%d":%d,`, i, i)
	}
	return b.String()
}

// A resource in which one object gives a member twice is malformed: readers
// differ on which value counts (a Task that gave "id" twice was read without
// its meta.versionId).
func TestParseResourceRefusesDuplicateMembers(t *testing.T) {
	for _, tt := range []struct{ name, raw, member string }{
		{"id twice, same value", `{"resourceType":"Task","id":"t1","id":"t1","meta":{"versionId":"3"}}`, "id"},
		{"id twice, other value", `{"resourceType":"Task","id":"t1","meta":{"versionId":"3"},"id":"t2"}`, "id"},
		{"meta twice", `{"resourceType":"Task","id":"t1","meta":{},"meta":{"versionId":"3"}}`, "meta"},
		{"resourceType twice", `{"resourceType":"Task","id":"t1","resourceType":"Patient"}`, "resourceType"},
		{"inside meta", `{"resourceType":"Task","id":"t1","meta":{"versionId":"1","versionId":"2"}}`, "versionId"},
		{"deep in an array", `{"resourceType":"Task","id":"t1","input":[{"type":{"text":"a"}},{"type":{"text":"a","text":"b"}}]}`, "text"},
		{"escaped the same", `{"resourceType":"Task","id":"t1","\u0069d":"t2"}`, "id"},
		{"escaped both", `{"resourceType":"Task","i\u0064":"t1","\u0069d":"t2"}`, "id"},
		{"short escape", `{"resourceType":"Task","id":"t1","a/b":1,"a\/b":2}`, "a/b"},
		{"non-ASCII escaped", `{"resourceType":"Task","id":"t1","é":1,"\u00e9":2}`, "é"},
		{"after many members", `{"resourceType":"Task","id":"t1",` + manyNames(40) + `"m7":0}`, "m7"},
		{"spaces around", ` { "resourceType" : "Task" , "id" : "t1" , "id" : "t1" } `, "id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseResource([]byte(tt.raw))
			if !errors.Is(err, ErrDuplicateMember) {
				t.Fatalf("ParseResource = %s/%s v%q, %v; want ErrDuplicateMember: a member given twice makes a resource malformed",
					r.Type, r.ID, r.Meta.VersionID, err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.member)) {
				t.Errorf("error %q does not name the member %q", err, tt.member)
			}
		})
	}
}

// The same name in different objects is no duplicate.
func TestParseResourceAcceptsTheSameNameInOtherObjects(t *testing.T) {
	for _, raw := range []string{
		`{"resourceType":"Task","id":"t1","focus":{"id":"f","reference":"ServiceRequest/1"},"for":{"reference":"Patient/1"}}`,
		`{"resourceType":"Task","id":"t1","input":[{"type":{"text":"a"}},{"type":{"text":"b"}}]}`,
		`{"resourceType":"Task","id":"t1","Id":"x","ID":"y"}`,
		`{"resourceType":"Task","id":"t1",` + manyNames(100) + `"z":{` + strings.TrimSuffix(manyNames(40), ",") + `}}`,
		`{"resourceType":"Task","id":"t1","a":{"a":{"a":{"id":"x"}}}}`,
	} {
		if _, err := ParseResource([]byte(raw)); err != nil {
			t.Errorf("ParseResource(%.60q…): %v; want it read", raw, err)
		}
	}
}

// One resource with a duplicate member leaves the rest of its page as it is.
func TestSearchPageSkipsOnlyTheResourceThatGivesAMemberTwice(t *testing.T) {
	page := `{"resourceType":"Bundle","type":"searchset","entry":[
		{"resource":{"resourceType":"Task","id":"t1","meta":{"versionId":"1"}},"search":{"mode":"match"}},
		{"resource":{"resourceType":"Task","id":"t2","id":"t2","meta":{"versionId":"4"}},"search":{"mode":"match"}},
		{"resource":{"resourceType":"Task","id":"t3","meta":{"versionId":"1"}},"search":{"mode":"match"}},
		{"resource":{"resourceType":"Patient","id":"p1","name":[{"given":["A"],"given":["B"]}]},"search":{"mode":"include"}}]}`
	b, err := readBundle([]byte(page))
	if err != nil {
		t.Fatalf("the page was refused: %v; want only its damaged entries left out", err)
	}
	p, _ := readSearchPage("Task", b, "")
	var got []string
	for _, r := range append(p.Matches, p.Included...) {
		got = append(got, r.Ref())
	}
	if strings.Join(got, " ") != "Task/t1 Task/t3" {
		t.Errorf("read %v; want Task/t1 and Task/t3, the resources that give no member twice", got)
	}
	if len(p.Skipped) != 2 || !strings.Contains(p.Skipped[0], "entry 2 (Task/t2)") || !strings.Contains(p.Skipped[0], `"id"`) ||
		!strings.Contains(p.Skipped[1], "Patient/p1") {
		t.Errorf("skipped %q; want entry 2 (Task/t2) named with its duplicate \"id\", and Patient/p1", p.Skipped)
	}
}

func TestBatchRefusesAResourceThatGivesAMemberTwice(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"batch-response","entry":[
			{"resource":{"resourceType":"Patient","id":"p1","id":"p1"},"response":{"status":"200 OK"}},
			{"resource":{"resourceType":"Patient","id":"p2"},"response":{"status":"200 OK"}}]}`)
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	res, err := c.Batch(context.Background(), []string{"Patient/p1", "Patient/p2"})
	if err != nil || len(res) != 2 {
		t.Fatalf("Batch: %v, %d results", err, len(res))
	}
	if !errors.Is(res[0].Err, ErrDuplicateMember) || KindOf(res[0].Err) != KindBadResponse {
		t.Errorf("Patient/p1, which gives \"id\" twice: %v; want a bad response for a duplicate member", res[0].Err)
	}
	if res[1].Err != nil || res[1].Resource.Ref() != "Patient/p2" {
		t.Errorf("Patient/p2: %v; want it read", res[1].Err)
	}
}

// A resource that gives a member twice does not make its Bundle unreadable:
// the Bundle is read, and only that resource is refused.
func TestReadBundleLeavesADuplicateMemberToTheResource(t *testing.T) {
	data := []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"a","id":"b"}},{"resource":{"resourceType":"Task","id":"c"}}]}`)
	b, err := readBundle(data)
	if err != nil || len(b.Entry) != 2 {
		t.Fatalf("readBundle: %v, %d entries; want both entries read", err, len(b.Entry))
	}
	if err := b.Entry[0].Resource.err; !errors.Is(err, ErrDuplicateMember) {
		t.Errorf("the first resource: %v; want ErrDuplicateMember", err)
	}
	if r, err := b.Entry[1].Resource.Resource, b.Entry[1].Resource.err; err != nil || r.Ref() != "Task/c" {
		t.Errorf("the second resource: %s, %v; want Task/c", r.Ref(), err)
	}
}

// ParseResource accepts exactly the JSON whose identity can be read
// strictly (no member given twice anywhere, RFC 7493), whatever its view
// members hold: a view that cannot be read never costs the resource.
func FuzzParseResource(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Task","id":"t"}`, `{"resourceType":"Task","id":"t","id":"t"}`,
		`{"resourceType":"Patient","name":[{"given":["A"],"given":["B"]}]}`, `{"resourceType":"Consent","scope":[1]}`,
		`{"a":1,"\u0061":2,"resourceType":"X"}`, `[]`, `{"resourceType":"Task"`, "{\"resourceType\":\"T\xff\"}",
		`{"status":7,"resourceType":"Task"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := ParseResource(raw)
		var id Identity
		readable := jsonv2.Unmarshal(raw, &id, strict) == nil && id.ResourceType != ""
		if readable && (err != nil || r.Type != id.ResourceType || r.ID != id.ID || r.Meta != id.Meta) {
			t.Fatalf("ParseResource(%q) = %s/%s %+v, %v; want the identity %+v", raw, r.Type, r.ID, r.Meta, err, id)
		}
		if !readable && err == nil {
			t.Fatalf("ParseResource(%q) accepted what has no readable identity", raw)
		}
	})
}
