package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/ui/cli"
)

// A connection link typed on the command line is read as a pasted or
// scanned one: its settings are used, and flags win over them.
func TestConnectURLReadsAConnectionLink(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)}
	link, err := app.ConnectionLink(app.Source{FHIRBase: p.FHIRBase(), Name: "Eastside from a link"})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, env, "connect", link)
	if code != 0 || strings.TrimSpace(out) != "1" || !strings.Contains(errOut, "The link leads to 127.0.0.1") {
		t.Fatalf("connect LINK: exit %d, out %q, err %q; want it connected, saying where the link leads", code, out, errOut)
	}
	if code, out, _ = run(t, env, "sources"); code != 0 || !strings.Contains(out, "Eastside from a link") {
		t.Errorf("the connection link's name was not used:\n%s", out)
	}
	if code, out, errOut = run(t, env, "connect", link, "--name", "Typed name"); code != 0 {
		t.Fatalf("connect LINK --name: exit %d, out %q, err %q", code, out, errOut)
	}
	if _, out, _ = run(t, env, "sources"); !strings.Contains(out, "Typed name") {
		t.Errorf("--name did not win over the link's name:\n%s", out)
	}
}
