package fhir_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/fixtures"
)

// Every example of the IG 3.0.0 reads and is described by its type and a
// title: whatever a requester attaches, the case worker sees what it is.
func TestEveryIGExampleIsDescribed(t *testing.T) {
	dir := fixtures.Dir(t, "sdoh-ig/3.0.0")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) < 50 {
		t.Fatalf("%d examples in %s: %v", len(files), dir, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := fhir.ParseResource(raw)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		d := fhir.Describe(r)
		if d.Kind == "" || d.Title == "" {
			t.Errorf("%s: described as %+v", filepath.Base(f), d)
		}
	}
}

// A lab result, screening answers, a goal and a document say what they are.
func TestDescribeReadsWhatEachTypeSays(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{`{"resourceType":"Observation","id":"o","code":{"text":"Lead level"},"valueQuantity":{"value":3.5,"unit":"ug/dL"},"effectiveDateTime":"2026-10-01"}`, "Observation or result|Lead level|3.5 ug/dL|2026-10-01"},
		{`{"resourceType":"QuestionnaireResponse","id":"q","questionnaire":"http://x/Questionnaire/hunger","item":[{},{}],"authored":"2026-10-02"}`, "Screening answers|http://x/Questionnaire/hunger|2 answers|2026-10-02"},
		{`{"resourceType":"Goal","id":"g","description":{"text":"Food security"}}`, "Goal|Food security||"},
		{`{"resourceType":"DocumentReference","id":"d","description":"Lease","content":[{"attachment":{"title":"lease.pdf"}}]}`, "Document|Lease|lease.pdf|"},
		{`{"resourceType":"Basic","id":"b","code":[1,2]}`, "Basic|Basic/b||"},
	} {
		r, err := fhir.ParseResource([]byte(tt.raw))
		if err != nil {
			t.Fatal(err)
		}
		d := fhir.Describe(r)
		if got := strings.Join([]string{d.Kind, d.Title, d.Detail, d.Date}, "|"); got != tt.want {
			t.Errorf("Describe(%.40s…) = %s; want %s", tt.raw, got, tt.want)
		}
	}
}
