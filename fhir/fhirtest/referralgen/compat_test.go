package referralgen

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
)

// updateDefault rewrites testdata/default-referrals.golden. Do it only for a
// change to the default referrals agreed with the app's owners: the app's
// tests and golden screenshots count and read them.
var updateDefault = flag.Bool("update-default-referrals", false, "rewrite testdata/default-referrals.golden")

// TestDefaultReferralsUnchanged pins the bytes of referrals generated with an
// empty Spec and with the Spec fields that existed before opt-in content was
// added, so that a new Spec field cannot change what existing callers get.
func TestDefaultReferralsUnchanged(t *testing.T) {
	yes := true
	specs := []Spec{
		{},
		{Status: fhir.StatusCompleted, Owner: OwnerOrganization},
		{Status: fhir.StatusRequested, Owner: OwnerNone, Priority: "urgent", DoNotContact: &yes, NoConsent: &yes},
	}
	var got bytes.Buffer
	for _, seed := range []int64{1, 7} {
		g := New(seed)
		for si, spec := range specs {
			// One line per 25 referrals keeps the file small and still
			// says where a difference is.
			for lo := 1; lo <= 300; lo += 25 {
				h := sha256.New()
				for i := lo; i < lo+25; i++ {
					h.Write(joined(g.Referral(i, authoredAt(i), spec)))
				}
				fmt.Fprintf(&got, "seed %d spec %d referrals %d-%d %x\n", seed, si, lo, lo+24, h.Sum(nil))
			}
		}
	}
	fmt.Fprintf(&got, "directory %x\n", sha256.Sum256(joined(New(1).Directory())))

	golden := filepath.Join("testdata", "default-referrals.golden")
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
		t.Fatalf("%v (write it with -update-default-referrals from the code before a change)", err)
	}
	gl, wl := bytes.Split(got.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gl), len(wl)) {
		if !bytes.Equal(gl[i], wl[i]) {
			t.Fatalf("a referral generated without opt-in Spec fields changed: an opt-in leaked into the default\n got: %s\nwant: %s", gl[i], wl[i])
		}
	}
	if len(gl) != len(wl) {
		t.Fatalf("%d lines, golden has %d", len(gl), len(wl))
	}
}
