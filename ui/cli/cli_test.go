package cli_test

import (
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
	"github.com/referraldesk/referraldesk/ui/cli"
)

func TestHelpIsNotAnError(t *testing.T) {
	env := cli.Env{DataDir: t.TempDir()}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, out, errOut := run(t, env, args...)
		if code != 0 || !strings.Contains(out, "usage: referraldesk") || errOut != "" {
			t.Errorf("%v: exit %d, out %q, err %q; want the usage and exit 0", args, code, out, errOut)
		}
	}
	code, _, errOut := run(t, env, "inbox", "-h")
	if code == 0 || !strings.Contains(errOut, "usage: referraldesk inbox") {
		t.Errorf("inbox -h: exit %d, err %q; want the inbox usage", code, errOut)
	}
}

// The help lists the commands that close the loop, with their options.
func TestHelpListsClosingTheLoop(t *testing.T) {
	_, out, _ := run(t, cli.Env{DataDir: t.TempDir()}, "help")
	for _, want := range []string{"\n  capacity [--source ID]", "\n  queue", "--service SYSTEM|CODE", "--at-capacity", "--decline-new --yes"} {
		if !strings.Contains(out, want) {
			t.Errorf("the help does not show %q:\n%s", want, out)
		}
	}
}

func TestInboxNamesDoNotContactAndChecksStatuses(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	yes := true
	p.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested", DoNotContact: &yes})
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)}
	for _, args := range [][]string{{"connect", p.FHIRBase()}, {"sync"}} {
		if code, out, errOut := run(t, env, args...); code != 0 {
			t.Fatalf("%v: exit %d, out %q, err %q", args, code, out, errOut)
		}
	}
	if code, out, _ := run(t, env, "inbox"); code != 0 || !strings.Contains(out, "(DO NOT CONTACT)") {
		t.Errorf("inbox: exit %d; the table does not mark the person who must not be contacted:\n%s", code, out)
	}
	if code, _, errOut := run(t, env, "inbox", "--status", "bogus"); code == 0 || !strings.Contains(errOut, "not a referral status") {
		t.Errorf("inbox --status bogus: exit %d, err %q; want it refused", code, errOut)
	}
	if code, out, errOut := run(t, env, "sync", "--source", "9"); code == 0 || out != "" || !strings.Contains(errOut, "No platform 9") {
		t.Errorf("sync --source 9: exit %d, out %q, err %q; want one line saying there is no such platform", code, out, errOut)
	}
}
