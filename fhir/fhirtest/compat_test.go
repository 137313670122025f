package fhirtest_test

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// updateDefault rewrites testdata/default-platform.golden. Do it only for a
// change to the default platform agreed with the app's owners: the app's
// tests and golden screenshots count and read what it serves.
var updateDefault = flag.Bool("update-default-platform", false, "rewrite testdata/default-platform.golden")

// everyType is every resource type the platform serves (scopes.go).
var everyType = []string{
	"Task", "ServiceRequest", "Patient", "RelatedPerson", "Group", "Consent", "Condition", "Goal",
	"Observation", "Procedure", "Organization", "Practitioner", "PractitionerRole", "HealthcareService",
	"Location", "DocumentReference", "Questionnaire", "QuestionnaireResponse",
}

// TestDefaultPlatformUnchanged pins what a platform started with default
// Options serves: /metadata, the SMART configuration, and every stored
// resource (the 25 seeded referrals, the directory, and referrals added with
// an empty Spec). Opt-in features (Options fields, Spec fields) must leave
// all of it byte for byte as it was; the golden file was written by the code
// before the "Close the loop" additions.
func TestDefaultPlatformUnchanged(t *testing.T) {
	clock := fhirtest.NewClock(time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC))
	s := fhirtest.New(t, fhirtest.Options{Now: clock.Now})
	clock.Add(time.Hour)
	s.AddReferral(referralgen.Spec{})
	s.AddReferral(referralgen.Spec{})
	tok := token(t, s, "openid", "user/*.rs")

	var got bytes.Buffer
	for _, path := range []string{"/fhir/metadata", "/fhir/.well-known/smart-configuration"} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		// The port changes from run to run; nothing else may.
		fmt.Fprintf(&got, "%s %s\n", path, bytes.ReplaceAll(body, []byte(s.URL()), []byte("http://ORIGIN")))
	}
	for _, typ := range everyType {
		b := search(t, s, tok, "/"+typ+"?_count=1000&_sort=_lastUpdated")
		for _, e := range b.Entry {
			r, err := fhir.ParseResource(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&got, "%s %x\n", r.Ref(), sha256.Sum256(e.Resource))
		}
	}

	golden := filepath.Join("testdata", "default-platform.golden")
	if *updateDefault {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (write it with -update-default-platform from the code before a change)", err)
	}
	if bytes.Equal(got.Bytes(), want) {
		return
	}
	gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		g, w := at(gl, i), at(wl, i)
		if g != w {
			t.Fatalf("the default platform changed: an opt-in feature leaked into default Options "+
				"(line %d of %s)\n got: %.2000s\nwant: %.2000s", i+1, golden, g, w)
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(nothing)"
}
