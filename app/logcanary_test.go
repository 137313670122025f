package app_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// secretsSeen records what the app sends a token endpoint — the sign-in's
// code and verifier, refresh tokens — so a test can look for them elsewhere.
type secretsSeen struct {
	mu     sync.Mutex
	values []string
	next   http.RoundTripper
}

func (s *secretsSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.Body != nil && strings.HasSuffix(r.URL.Path, "/token") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		s.mu.Lock()
		for _, k := range []string{"code", "code_verifier", "refresh_token"} {
			if v := form.Get(k); v != "" {
				s.values = append(s.values, v)
			}
		}
		s.mu.Unlock()
	}
	return s.next.RoundTrip(r)
}

// The log keeps causes for support, and never a token, a sign-in's code or
// verifier, or anything about a person: connect, sync, decline with a reason,
// and fail in several ways, then look for each of them in the log.
func TestTheLogNamesNoSecretAndNoPerson(t *testing.T) {
	dir := t.TempDir()
	log, lf, err := app.OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := &secretsSeen{next: app.NewTransport()}
	w := &world{t: t, ctx: t.Context(), clock: newClock(), http: &http.Client{Transport: seen}, log: log}
	w.server = fhirtest.New(t, fhirtest.Options{Now: w.clock.Now, AccessTokenLifetime: time.Minute})
	w.dbPath = filepath.Join(dir, app.DatabaseName)
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)

	const reason = "Canary-reason-7c1f: lives with her sister on Alder Street"
	target := w.firstWithStatus("requested")
	d, err := w.app.Referral(w.ctx, src.ID, target.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	// A decline the platform refuses, a sync it fails, a refresh after the
	// access token expired, then one with the platform gone.
	w.server.SetFault(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut {
			http.Error(rw, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	out, err := w.app.SetStatus(w.ctx, src.ID, target.TaskID, "rejected", reason)
	if out.Sent {
		t.Fatal("a decline the platform failed with 500 was reported as sent")
	}
	if err != nil {
		w.app.Explain(err)
	}
	w.server.SetFault(nil)
	w.clock.Add(2 * time.Minute) // past the access token's life: the next sync refreshes
	if _, err := w.app.Sync(w.ctx, src.ID); err != nil {
		w.app.Explain(err)
	}
	w.server.Close()
	_, err = w.app.Sync(w.ctx, src.ID)
	if err == nil {
		t.Fatal("a sync with the platform gone succeeded")
	}
	w.app.Explain(err)
	lf.Close()

	logText, err := os.ReadFile(filepath.Join(dir, app.LogFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logText), "shown to the case worker") {
		t.Fatalf("the failures shown to the case worker left no cause in the log:\n%s", logText)
	}
	tokens, err := w.store.Tokens(w.ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	canaries := map[string]string{"access token": tokens.AccessToken, "refresh token": tokens.RefreshToken,
		"id_token": tokens.IDToken, "decline reason": reason, "client id": src.ClientID}
	seen.mu.Lock()
	for i, v := range seen.values {
		canaries["token request value "+string(rune('a'+i))] = v
	}
	seen.mu.Unlock()
	for _, v := range []string{d.Person.Name, d.Person.BirthDate} {
		canaries["person: "+v] = v
	}
	for _, c := range append(append(d.Person.Phones, d.Person.Emails...), d.Person.Addresses...) {
		canaries["contact: "+c] = c
	}
	if len(seen.values) < 2 {
		t.Fatalf("saw %d values sent to the token endpoint; want the code, the verifier and a refresh token", len(seen.values))
	}
	for what, v := range canaries {
		if len(v) < 4 {
			continue
		}
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v)), string(utf16Bytes(v))} {
			if bytes.Contains(logText, []byte(form)) {
				t.Errorf("the log contains the %s", what)
			}
		}
	}
}

func utf16Bytes(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
