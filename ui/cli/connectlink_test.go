package cli_test

import (
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
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

// freePort is a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// signInAsked is the client id and redirect URI of the sign-in the platform
// was asked for, and whether Referral Desk registered itself first.
func signInAsked(p *fhirtest.Server) (clientID, redirectURI string, registered bool) {
	for _, r := range p.Requests() {
		switch r.Path {
		case "/auth/register":
			registered = true
		case "/auth/authorize":
			q, _ := url.ParseQuery(r.RawQuery)
			clientID, redirectURI = q.Get("client_id"), q.Get("redirect_uri")
		}
	}
	return clientID, redirectURI, registered
}

// A connection link's client_id, redirect_port, owner and name are used as
// the window uses them: the platform's pre-registered client on its fixed
// port (no registration), the owner's referrals, the link's name.
func TestConnectHonoursTheLinksSettings(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 40})
	port := freePort(t)
	clientID := p.RegisterClient(auth.RedirectURI(port, "")) // exactly this redirect URI, as most platforms require
	link, err := app.ConnectionLink(app.Source{FHIRBase: p.FHIRBase(), ClientID: clientID, RedirectPort: port,
		Owner: referralgen.OtherOrganization, Name: "Westside via a link"})
	if err != nil {
		t.Fatal(err)
	}
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)}
	if code, out, errOut := run(t, env, "connect", link); code != 0 {
		t.Fatalf("connect LINK: exit %d, out %q, err %q", code, out, errOut)
	}
	if id, uri, registered := signInAsked(p); registered || id != clientID || uri != auth.RedirectURI(port, "") {
		t.Errorf("sign-in asked as client %q returning to %q (registered first: %v); want the link's client %q on port %d, no registration",
			id, uri, registered, clientID, port)
	}
	_, out, _ := run(t, env, "sources")
	if !strings.Contains(out, "Westside via a link") || !strings.Contains(out, referralgen.OtherOrganization) {
		t.Errorf("sources does not show the link's name and owner %s:\n%s", referralgen.OtherOrganization, out)
	}
	// The owner decides whose referrals arrive: the sign-in's own
	// organization would be Eastside.
	if code, out, errOut := run(t, env, "sync"); code != 0 {
		t.Fatalf("sync: exit %d, out %q, err %q", code, out, errOut)
	}
	_, out, _ = run(t, env, "inbox", "--json")
	var rows []struct{ Task string }
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("inbox --json after syncing for the link's owner: %d rows (%v)", len(rows), err)
	}
	for _, r := range rows {
		task := platformCopy(t, p, "Task", r.Task)
		if owner := fmtJSON(task["owner"]); !strings.Contains(owner, referralgen.OtherOrganization) {
			t.Errorf("Task/%s is owned by %s: the link's owner %s was not used for the sync", r.Task, owner, referralgen.OtherOrganization)
		}
	}
}

// Flags win over a link's settings, and are held to the same rules.
func TestConnectFlagsWinOverTheLinkAndFollowItsRules(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	port := freePort(t)
	clientID := p.RegisterClient(auth.RedirectURI(port, ""))
	link, err := app.ConnectionLink(app.Source{FHIRBase: p.FHIRBase(), ClientID: "not-registered", RedirectPort: 4711,
		Owner: referralgen.OtherOrganization, Name: "From the link"})
	if err != nil {
		t.Fatal(err)
	}
	env := cli.Env{DataDir: protectedDir(t), OpenBrowser: p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)}
	for _, tt := range []struct{ flag, value, say string }{
		{"--redirect-port", "80", "The redirect port must be a number from 1024 to 65535"},
		{"--owner", "cbo-eastside", `"cbo-eastside" is not a reference like Organization/123.`},
		{"--client-id", "rd 4711", `"rd 4711" cannot be a client id`},
		{"--name", "Eastside\u202e", "without hidden characters"},
	} {
		code, out, errOut := run(t, env, "connect", link, tt.flag, tt.value)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "referraldesk: ") ||
			!strings.Contains(errOut, tt.say) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("connect LINK %s %q: exit %d, out %q, stderr %q; want only the problem, saying %q", tt.flag, tt.value, code, out, errOut, tt.say)
		}
	}
	code, out, errOut := run(t, env, "connect", link, "--client-id", clientID, "--redirect-port", strconv.Itoa(port),
		"--owner", referralgen.OwnerOrganization, "--name", "Typed name")
	if code != 0 {
		t.Fatalf("connect LINK with flags: exit %d, out %q, err %q", code, out, errOut)
	}
	if id, uri, _ := signInAsked(p); id != clientID || uri != auth.RedirectURI(port, "") {
		t.Errorf("sign-in asked as client %q returning to %q; want the flags' %q on port %d", id, uri, clientID, port)
	}
	if _, out, _ = run(t, env, "sources"); !strings.Contains(out, "Typed name") || !strings.Contains(out, referralgen.OwnerOrganization) {
		t.Errorf("--name and --owner did not win over the link's:\n%s", out)
	}
}
