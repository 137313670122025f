package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
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
	p, _, err := readSearchPage("search Task", "Task", []byte(page), "")
	if err != nil {
		t.Fatalf("the page was refused: %v; want only its damaged entries left out", err)
	}
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

// readBundle still reads what unmarshal reads when a resource in it gives
// a member twice: the duplicate is noted on the entry, for its reader.
func TestReadBundleNotesADuplicateMemberInAResource(t *testing.T) {
	data := []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Task","id":"a","id":"b"}},{"resource":{"resourceType":"Task","id":"c"}}]}`)
	agreeWithUnmarshal(t, data)
	b, err := readBundle(data)
	if err != nil || len(b.Entry) != 2 || b.Entry[0].duplicate != "id" || b.Entry[1].duplicate != "" {
		t.Fatalf("readBundle: %v; entries %+v; want the first noted as giving \"id\" twice", err, b.Entry)
	}
}

// checkResource checks JSON as checkValue does.
func TestCheckResourceChecksAsCheckValue(t *testing.T) {
	for _, s := range append(checkValueSeeds, `{"a":1,"a":2}`, `[{"a":{"b":[]}},{"a":1}]`, `{"a":{"a":1}`) {
		agreeWithCheckValue(t, []byte(s))
	}
}

func agreeWithCheckValue(t *testing.T, b []byte) {
	t.Helper()
	end, dup := checkResource(b, 0, 0)
	if want := checkValue(b, 0, 0); end != want {
		t.Fatalf("checkResource(%q) ends at %d; checkValue at %d", b, end, want)
	}
	// jsontext (RFC 7493) refuses duplicate names, comparing them unescaped.
	if end < 0 || skipSpace(b, end) != len(b) || !utf8.Valid(b) {
		return
	}
	if wantDup := !jsontext.Value(b).IsValid(jsontext.AllowInvalidUTF8(true)); (dup != "") != wantDup {
		t.Fatalf("checkResource(%q): duplicate %q; jsontext finds one: %v", b, dup, wantDup)
	}
}

func FuzzCheckResource(f *testing.F) {
	for _, s := range append(checkValueSeeds, `{"a":1,"\u0061":2}`, `{"a":{"b":1,"b":2}}`, `{"x":[{"a":1},{"a":1}]}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(agreeWithCheckValue)
}
