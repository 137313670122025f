package app_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/storage"
)

// trap is an https server on this computer that every connection goes to,
// whatever server name was asked for: a link that gets past the checks
// reaches it, and is counted.
type trap struct {
	dials, requests atomic.Int64
	client          *http.Client
}

func newTrap(t *testing.T) *trap {
	t.Helper()
	tr := &trap{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.requests.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	tr.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			tr.dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
		},
		// The names asked for are not the test certificate's.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	return tr
}

func (tr *trap) contacted() bool { return tr.dials.Load()+tr.requests.Load() > 0 }

// lookAlikeLinks are links whose server (or iss's server) imitates another
// name; each must be refused saying so, and nothing contacted.
var lookAlikeLinks = []struct{ name, link, say string }{
	{"Cyrillic e in a Latin name", "https://r\u0435ferrals.example.org/fhir", "mixes alphabets"},
	{"Greek alpha in a Latin name", "https://referr\u03b1ls.example.org/fhir", "mixes alphabets"},
	{"all Cyrillic look-alikes", "https://\u0430\u0440\u0440\u04cf\u0435.com/fhir", "only look like"},
	{"typed in punycode", "https://xn--rferrals-c8g.example.org/fhir", "mixes alphabets"},
	{"iss of a SMART link", "https://ehr.example/launch?iss=https%3A%2F%2Fr%D0%B5ferrals.example.org%2Ffhir", "mixes alphabets"},
	{"iss of a connection link", "https://r\u0435ferrals.example.org/fhir?iss=https%3A%2F%2Fr%D0%B5ferrals.example.org%2Ffhir&client_id=rd-4711", "mixes alphabets"},
	{"the SMART link's own server", "https://\u0435hr.example/launch?iss=https%3A%2F%2Freferrals.example.org%2Ffhir", "mixes alphabets"},
}

func TestConnectRefusesLookAlikeHostsBeforeContactingThem(t *testing.T) {
	store, err := storage.Open(filepath.Join(t.TempDir(), "referraldesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tr := newTrap(t)
	opened := false
	a := app.New(app.Options{Store: store, HTTP: tr.client, OpenBrowser: func(string) error { opened = true; return nil }})
	ctx := context.Background()

	// The trap must see a link that passes, or the checks below prove nothing.
	if _, err := a.Connect(ctx, app.ConnectOptions{Link: "https://referrals.example.org/fhir"}); err == nil || !tr.contacted() {
		t.Fatalf("a plain link did not reach the trap (err %v): the test cannot tell a contacted host", err)
	}
	for _, tt := range lookAlikeLinks {
		t.Run(tt.name, func(t *testing.T) {
			tr.dials.Store(0)
			tr.requests.Store(0)
			_, err := a.Connect(ctx, app.ConnectOptions{Link: tt.link})
			if tr.contacted() {
				t.Errorf("Connect(%q) contacted the server (%d dials, %d requests): a look-alike host must be refused before anything is contacted",
					tt.link, tr.dials.Load(), tr.requests.Load())
			}
			if say := app.Explain(err); err == nil || !strings.Contains(say, tt.say) || !strings.Contains(say, "xn--") {
				t.Errorf("Connect(%q) = %v; want it refused saying %q with the real (punycode) name, as the paste and QR paths do", tt.link, say, tt.say)
			}
			if _, err := a.Discover(ctx, tt.link); err == nil || tr.contacted() {
				t.Errorf("Discover(%q) = %v, contacted %v; want it refused with nothing contacted", tt.link, err, tr.contacted())
			}
		})
	}
	if opened {
		t.Error("a browser was opened for a refused link")
	}
	if srcs, _ := a.Sources(ctx); len(srcs) != 0 {
		t.Errorf("%d platforms stored after refused links", len(srcs))
	}
}
