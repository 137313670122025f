package cli_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/apptest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/ui/cli"
)

const waitingLine = "Waiting for you to sign in"

// protectedDir is a data folder that has its passphrase already, so what a
// command says is its own: a new folder's first command says first that it
// protected it.
func protectedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, out, errOut := run(t, cli.Env{DataDir: dir}, "sources"); code != 0 {
		t.Fatalf("sources in a new folder: exit %d, out %q, err %q", code, out, errOut)
	}
	return dir
}

// windowSays is what the window shows for text pasted or scanned into the
// connect screen before anything is contacted (app.ParseConnectionText,
// explained), or for the lookup Check link makes (app.Discover).
func windowSays(t *testing.T, hc *http.Client, text string) string {
	t.Helper()
	if _, err := app.ParseConnectionText(text); err != nil {
		return app.Explain(err)
	}
	_, err := app.New(app.Options{HTTP: hc}).Discover(context.Background(), text)
	if err == nil {
		t.Fatalf("the window accepts %q: the test needs a link it refuses", text)
	}
	return app.Explain(err)
}

// A link that is refused prints the one line the window shows for it, and
// never that connect waits for the sign-in: that is said only once the link
// was checked and the platform found.
func TestConnectSaysOnlyTheProblemOfABadLink(t *testing.T) {
	notAPlatform := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notAPlatform.Close)
	dir := protectedDir(t)
	for _, tt := range []struct {
		name, link string
		hc         *http.Client
		say        string
	}{
		{"SMART Health Link", "shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUub3JnIn0", nil, "SMART Health Link"},
		{"SMART Health Link behind a viewer", "https://viewer.example/#shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUub3JnIn0", nil, "SMART Health Link"},
		{"SMART Health Card", "shc:/5676290952432060346029243740446031222959532654603460292540772804336028702864716745222809286133314564376531415906402203064504590856435503414245413640370636654171372412363803043756220467374075323239254334433260573601064529315312707424283950386922127667517065", nil, "SMART Health Card"},
		{"plain http to another computer", "http://referrals.example.org/fhir", nil, "not secure"},
		{"unknown server", "https://referals.example.org/fhir", apptest.NoSuchHost(), "No server called referals.example.org could be found."},
		{"not a referral platform", notAPlatform.URL + "/fhir", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opened := false
			env := cli.Env{DataDir: dir, HTTP: tt.hc, OpenBrowser: func(string) error { opened = true; return nil }}
			code, out, errOut := run(t, env, "connect", tt.link)
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			last := lines[len(lines)-1]
			want := "referraldesk: " + cli.OneLine(windowSays(t, tt.hc, tt.link))
			if code != 1 || out != "" || last != want || !strings.Contains(last, tt.say) {
				t.Errorf("connect %q: exit %d, out %q, stderr %q; want exit 1 and the window's sentence %q", tt.link, code, out, errOut, want)
			}
			if strings.Contains(errOut, waitingLine) || opened {
				t.Errorf("connect %q said it waits for the sign-in (or opened a browser) for a link it refused:\n%s", tt.link, errOut)
			}
			if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[0], "The link leads to ")) {
				t.Errorf("connect %q printed more than where the link leads and the problem:\n%s", tt.link, errOut)
			}
		})
	}
}

// lines is a stderr the test reads while the command runs.
type lines struct {
	mu  sync.Mutex
	all bytes.Buffer
	ch  chan string
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	for _, s := range strings.SplitAfter(string(p), "\n") {
		if s != "" {
			l.ch <- strings.TrimSuffix(s, "\n")
		}
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// When no browser opens, connect says so, gives the sign-in address, and
// keeps waiting until someone signs in there, as the window does.
func TestConnectGivesTheAddressWhenNoBrowserOpens(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	stderr := &lines{ch: make(chan string, 64)}
	var stdout bytes.Buffer
	env := cli.Env{DataDir: t.TempDir(), Stdout: &stdout, Stderr: stderr, Secrets: withPassphrase(testPassphrase),
		OpenBrowser: func(string) error { return errors.New("no browser here") }}
	code := make(chan int, 1)
	go func() { code <- cli.Run([]string{"connect", p.FHIRBase()}, env) }()

	var said []string
	for len(said) == 0 || !strings.HasPrefix(said[len(said)-1], "  http") {
		select {
		case line := <-stderr.ch:
			said = append(said, line)
		case c := <-code:
			t.Fatalf("connect ended (exit %d) without giving the sign-in address:\n%s", c, stderr.String())
		}
	}
	address := strings.TrimSpace(said[len(said)-1])
	if len(said) < 3 || !strings.HasPrefix(said[len(said)-2], "Your web browser did not open") ||
		!strings.HasPrefix(said[len(said)-3], waitingLine) {
		t.Errorf("before the address, stderr said %q; want the wait, then that the browser did not open", said)
	}
	if err := p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)(address); err != nil {
		t.Fatalf("signing in at the address connect gave: %v", err)
	}
	if c := <-code; c != 0 || strings.TrimSpace(stdout.String()) != "1" {
		t.Fatalf("connect after signing in by hand: exit %d, out %q, err %q", c, stdout.String(), stderr.String())
	}
}

// Where the link leads is said first, then the wait, then the result.
func TestConnectSaysWhatHappensInOrder(t *testing.T) {
	p := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	env := cli.Env{DataDir: t.TempDir(), OpenBrowser: p.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)}
	code, _, errOut := run(t, env, "connect", p.FHIRBase())
	leads, wait, done := strings.Index(errOut, "The link leads to 127.0.0.1"), strings.Index(errOut, waitingLine), strings.Index(errOut, "Connected to")
	if code != 0 || leads < 0 || !(leads < wait && wait < done) {
		t.Errorf("connect: exit %d, stderr:\n%s\nwant where the link leads, then the wait, then the result", code, errOut)
	}
}
