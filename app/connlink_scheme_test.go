package app_test

import (
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

// A referraldesk:// link pasted into the connect field, or scanned, reads
// as the connection link it stands for, with every check of one; a broken
// one is refused with the same reason as when it is opened.
func TestAPastedAppLinkReadsAsItsConnectionLink(t *testing.T) {
	got, err := app.ParseConnectionText(" referraldesk://connect?iss=https://fhir.example.org/r4&name=Eastside&redirect_port=7777 ")
	if err != nil {
		t.Fatalf("a good app link pasted: %v", err)
	}
	if got.Kind != app.LinkReferralDesk || got.Link.FHIRBase != "https://fhir.example.org/r4" ||
		got.Options.Name != "Eastside" || got.Options.RedirectPort != 7777 {
		t.Errorf("read as %+v; want the platform at https://fhir.example.org/r4, named Eastside, port 7777", got)
	}
	for _, bad := range []string{
		"referraldesk://connect?name=NoPlatform",
		"referraldesk://connect?iss=http://fhir.example.org/r4", // not https
		"referraldesk://connect?iss=https://fhir.example.org/r4&name=A&name=B",
	} {
		if _, err := app.ParseConnectionText(bad); err == nil || app.KindOf(err) != app.KindUnsafe {
			t.Errorf("%s pasted: %v; want it refused as unsafe", bad, err)
		}
	}
}
