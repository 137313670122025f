package cli_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/auth/authtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/ui/cli"
)

// run runs one command line and returns its exit status and output. An env
// that names no Secrets gets withPassphrase(testPassphrase): the data folder
// is protected (and then unlocked) by it, and the test reaches neither this
// computer's keyring nor its terminal.
func run(t *testing.T, env cli.Env, args ...string) (int, string, string) {
	t.Helper()
	if env.Secrets == nil {
		env.Secrets = withPassphrase(testPassphrase)
	}
	var out, errOut bytes.Buffer
	env.Stdout, env.Stderr = &out, &errOut
	code := cli.Run(args, env)
	return code, out.String(), errOut.String()
}

// TestEndToEndWithChromium is the whole path a referral travels: connect with
// a real browser signing in on the platform's own pages, sync, accept one
// referral and decline another, and check the platform's own copy.
func TestEndToEndWithChromium(t *testing.T) {
	platform := fhirtest.New(t, fhirtest.Options{Referrals: 30})
	browser := authtest.NewBrowser(t)
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: browser.SignIn(fhirtest.DemoUser, fhirtest.DemoPassword)}

	code, out, errOut := run(t, env, "connect", platform.FHIRBase())
	if code != 0 || strings.TrimSpace(out) != "1" {
		t.Fatalf("connect: exit %d, out %q, err %q", code, out, errOut)
	}
	if len(browser.Pages) < 3 || !strings.Contains(browser.Pages[0], "Sign in") || !strings.Contains(browser.Pages[2], "signed in") {
		t.Errorf("the browser did not go sign-in page → approve page → Referral Desk's page: %q", browser.Pages)
	}

	code, out, errOut = run(t, env, "sync")
	if code != 0 || !strings.Contains(out, " new, 0 updated") {
		t.Fatalf("sync: exit %d, out %q, err %q", code, out, errOut)
	}

	code, out, _ = run(t, env, "inbox", "--status", "requested", "--json")
	var rows []struct{ Task, Person, Need string }
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) < 2 {
		t.Fatalf("inbox --json: exit %d, %d rows, err %v:\n%s", code, len(rows), err, out)
	}
	accept, decline := rows[0].Task, rows[1].Task
	beforeAccept, _ := platform.Resource("Task", accept)
	beforeDecline, _ := platform.Resource("Task", decline)

	if code, out, errOut = run(t, env, "set-status", accept, "accepted"); code != 0 || !strings.Contains(out, "now accepted") {
		t.Fatalf("accept: exit %d, out %q, err %q", code, out, errOut)
	}
	const reason = "We only serve people living in Multnomah County"
	if code, out, errOut = run(t, env, "set-status", decline, "rejected", "--reason", reason); code != 0 {
		t.Fatalf("decline: exit %d, out %q, err %q", code, out, errOut)
	}

	checkPlatformCopy(t, platform, accept, beforeAccept, "accepted", "")
	checkPlatformCopy(t, platform, decline, beforeDecline, "rejected", reason)

	if code, out, _ = run(t, env, "show", decline); code != 0 || !strings.Contains(out, "Declined ("+reason+")") {
		t.Errorf("show after decline: exit %d:\n%s", code, out)
	}
	// A change the IG does not allow fails with one line in plain words.
	code, _, errOut = run(t, env, "set-status", decline, "completed")
	if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "cannot be moved") {
		t.Errorf("declined → completed: exit %d, stderr %q; want a one-line refusal", code, errOut)
	}
}

// checkPlatformCopy asserts the platform's own copy of a Task: the new status
// and reason, a new version, and every other element unchanged.
func checkPlatformCopy(t *testing.T, platform *fhirtest.Server, id string, before []byte, status, reason string) {
	t.Helper()
	after, _ := platform.Resource("Task", id)
	var a, b struct {
		Status       string
		StatusReason struct{ Text string }
		Meta         struct{ VersionID string }
	}
	json.Unmarshal(after, &a)
	json.Unmarshal(before, &b)
	if a.Status != status || a.StatusReason.Text != reason {
		t.Errorf("Task/%s on the platform: status %q reason %q; want %q %q", id, a.Status, a.StatusReason.Text, status, reason)
	}
	if a.Meta.VersionID == b.Meta.VersionID {
		t.Errorf("Task/%s: version still %s after the update", id, a.Meta.VersionID)
	}
	changed, err := fhirtest.ChangedElements(before, after, "status", "statusReason", "meta")
	if err != nil || len(changed) != 0 {
		t.Errorf("Task/%s: elements other than status changed on the platform: %v (%v)", id, changed, err)
	}
}
