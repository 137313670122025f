package cli_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/referraldesk/referraldesk/ui/cli"
)

// trapClient sends every connection to an https server on this computer,
// whatever server name was asked for, and counts what reaches it: a link
// that gets past the checks is counted there.
func trapClient(t *testing.T) (*http.Client, *atomic.Int64) {
	t.Helper()
	var contacts atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contacts.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			contacts.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the names asked for are not the test certificate's
	}}, &contacts
}

func TestConnectURLRefusesLookAlikeHostsWithoutContactingThem(t *testing.T) {
	client, contacts := trapClient(t)
	opened := false
	env := cli.Env{DataDir: t.TempDir(), HTTP: client, OpenBrowser: func(string) error { opened = true; return nil }}

	// The trap must see a link that passes, or the checks below prove nothing.
	if code, _, errOut := run(t, env, "connect", "https://referrals.example.org/fhir"); code == 0 || contacts.Load() == 0 {
		t.Fatalf("a plain link: exit %d, stderr %q, %d contacts; the test cannot tell a contacted host", code, errOut, contacts.Load())
	}
	for _, tt := range []struct{ name, link, say string }{
		{"Cyrillic e", "https://r\u0435ferrals.example.org/fhir", "mixes alphabets"},
		{"Greek alpha", "https://referr\u03b1ls.example.org/fhir", "mixes alphabets"},
		{"all Cyrillic look-alikes", "https://\u0430\u0440\u0440\u04cf\u0435.com/fhir", "only look like"},
		{"iss of a SMART link", "https://ehr.example/launch?iss=https%3A%2F%2Fr%D0%B5ferrals.example.org%2Ffhir", "mixes alphabets"},
		{"iss of a connection link", "https://r\u0435ferrals.example.org/fhir?iss=https%3A%2F%2Fr%D0%B5ferrals.example.org%2Ffhir&name=Eastside", "mixes alphabets"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			contacts.Store(0)
			code, out, errOut := run(t, env, "connect", tt.link)
			if n := contacts.Load(); n > 0 {
				t.Errorf("connect %q contacted the server %d times: a look-alike host must be refused before anything is contacted, as the paste and QR paths do", tt.link, n)
			}
			line := strings.TrimSuffix(errOut, "\n")
			if code == 0 || out != "" || strings.Contains(line, "\n") || !strings.HasPrefix(line, "referraldesk: ") ||
				!strings.Contains(line, tt.say) || !strings.Contains(line, "xn--") {
				t.Errorf("connect %q: exit %d, out %q, stderr %q; want one line refusing it, saying %q and the real (punycode) name",
					tt.link, code, out, errOut, tt.say)
			}
		})
	}
	if opened {
		t.Error("a browser was opened for a refused link")
	}
}
