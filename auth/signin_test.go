package auth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestSignIn(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	var events []string
	si.Listening = func(uri string) { events = append(events, "listening "+uri) }
	opened := make(chan string, 1)
	si.Open = func(u string) error { events = append(events, "open"); opened <- u; return nil }
	run := startRun(t, si)
	authURL := <-opened

	params := as.authorize(t, authURL)
	redirect, _ := url.Parse(authURL)
	redirectURI := redirect.Query().Get("redirect_uri")
	if want := []string{"listening " + redirectURI, "open"}; !slices.Equal(events, want) {
		t.Errorf("events = %q, want %q", events, want)
	}
	status, page := browse(t, callbackURL(authURL, params))
	res, err := run.wait()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if status != 200 || !strings.Contains(page, "You are signed in; you can close this tab and return to Referral Desk") {
		t.Errorf("page = %d %q", status, page)
	}
	if res.Token.AccessToken != "at-"+params.Get("code") || res.Token.RefreshToken == "" || res.Token.Expiry.IsZero() {
		t.Errorf("token = %+v", res.Token)
	}
	if res.FHIRUser != as.fhirBase+"/Practitioner/worker-1" || res.Claims["sub"] != "worker-1" {
		t.Errorf("FHIRUser = %q, claims = %v", res.FHIRUser, res.Claims)
	}
	if !slices.Equal(res.GrantedScopes, Scopes(si.Config)) || len(res.Warnings) != 0 {
		t.Errorf("granted %q, warnings %q", res.GrantedScopes, res.Warnings)
	}
	// Single use: the listener is closed once the sign-in is over.
	if resp, err := http.Get(callbackURL(authURL, params)); err == nil {
		resp.Body.Close()
		t.Errorf("listener still answers after the sign-in: %d", resp.StatusCode)
	}
}

func TestSignInIgnoresStrangers(t *testing.T) {
	as := newFakeAS(t)
	run := startRun(t, as.signIn(t))
	params := as.authorize(t, run.authURL)
	good := callbackURL(run.authURL, params)
	u, _ := url.Parse(good)
	origin := u.Scheme + "://" + u.Host

	for _, c := range []struct {
		name, url string
		status    int
	}{
		{"other path", origin + "/favicon.ico", 404},
		{"missing state", origin + "/callback?code=x", 400},
		{"wrong state", origin + "/callback?code=x&state=forged", 400},
		{"two states", good + "&state=forged", 400},
		{"error with wrong state", origin + "/callback?error=access_denied&state=forged", 400},
	} {
		if status, _ := browse(t, c.url); status != c.status {
			t.Errorf("%s: status %d, want %d", c.name, status, c.status)
		}
	}
	if resp, err := http.Post(good, "text/plain", nil); err != nil || resp.StatusCode != 405 {
		t.Errorf("POST callback: %v %v", resp.StatusCode, err)
	}
	if status, _ := browse(t, good); status != 200 {
		t.Errorf("the real callback after strangers: status %d", status)
	}
	if _, err := run.wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestSignInReplayedCallback(t *testing.T) {
	as := newFakeAS(t)
	exchanging, release := make(chan struct{}), make(chan struct{})
	as.tokenHook = func(w http.ResponseWriter, r *http.Request) {
		close(exchanging)
		<-release
		writeJSON(w, 200, map[string]any{"access_token": "at", "token_type": "Bearer", "refresh_token": "rt"})
	}
	run := startRun(t, as.signIn(t))
	cb := callbackURL(run.authURL, as.authorize(t, run.authURL))
	first := make(chan int, 1)
	go func() {
		resp, err := http.Get(cb)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-exchanging
	if status, page := browse(t, cb); status != 400 || !strings.Contains(page, "already used") {
		t.Errorf("replay: %d %q", status, page)
	}
	close(release)
	if status := <-first; status != 200 {
		t.Errorf("first callback: status %d", status)
	}
	if _, err := run.wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := as.tokenCalls.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestSignInCallbackErrors(t *testing.T) {
	for _, c := range []struct {
		code string
		kind Kind
		msg  string
	}{
		{"access_denied", KindRefused, "You chose not to allow Referral Desk"},
		{"invalid_scope", KindRefused, "refused the permissions"},
		{"temporarily_unavailable", KindTemporary, "not available right now"},
		{"unauthorized_client", KindRefused, "refused the sign-in request"},
	} {
		t.Run(c.code, func(t *testing.T) {
			as := newFakeAS(t)
			run := startRun(t, as.signIn(t))
			params := as.authorize(t, run.authURL)
			params.Del("code")
			params.Set("error", c.code)
			params.Set("error_description", "<script>alert(1)</script>")
			status, page := browse(t, callbackURL(run.authURL, params))
			_, err := run.wait()
			kindIs(t, err, c.kind, c.msg)
			if status != 400 || strings.Contains(page, "script") {
				t.Errorf("page = %d %q", status, page)
			}
			if as.tokenCalls.Load() != 0 {
				t.Error("the token endpoint was called after an error callback")
			}
		})
	}
}

func TestSignInWrongIssuer(t *testing.T) {
	for _, c := range []struct {
		name     string
		iss      string
		required bool
	}{
		{"other server", "https://evil.example", false},
		{"trailing slash", "ISSUER/", false},
		{"missing but advertised", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			as := newFakeAS(t)
			as.config["authorization_response_iss_parameter_supported"] = c.required
			run := startRun(t, as.signIn(t))
			params := as.authorize(t, run.authURL)
			params.Set("iss", strings.ReplaceAll(c.iss, "ISSUER", as.issuer))
			if c.iss == "" {
				params.Del("iss")
			}
			browse(t, callbackURL(run.authURL, params))
			_, err := run.wait()
			kindIs(t, err, KindUnsafe, "The sign-in came back from a different server than expected; nothing was saved.")
			if as.tokenCalls.Load() != 0 {
				t.Error("the code was exchanged despite the wrong iss")
			}
		})
	}
}

func TestSignInTwoFlowsAtOnce(t *testing.T) {
	as := newFakeAS(t)
	a, b := startRun(t, as.signIn(t)), startRun(t, as.signIn(t))
	pa, pb := as.authorize(t, a.authURL), as.authorize(t, b.authURL)
	if callbackURL(a.authURL, nil) == callbackURL(b.authURL, nil) || pa.Get("state") == pb.Get("state") {
		t.Fatal("two sign-ins share a port or a state")
	}
	// A's answer delivered to B's listener is refused and ends neither.
	if status, _ := browse(t, callbackURL(b.authURL, pa)); status != 400 {
		t.Errorf("cross-delivered callback: status %d", status)
	}
	browse(t, callbackURL(a.authURL, pa))
	browse(t, callbackURL(b.authURL, pb))
	ra, errA := a.wait()
	rb, errB := b.wait()
	if errA != nil || errB != nil {
		t.Fatalf("Run: %v / %v", errA, errB)
	}
	if ra.Token.AccessToken != "at-"+pa.Get("code") || rb.Token.AccessToken != "at-"+pb.Get("code") {
		t.Errorf("tokens mixed up: %q %q", ra.Token.AccessToken, rb.Token.AccessToken)
	}
}

func TestSignInPersonNeverReturns(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	si.Wait = 20 * time.Millisecond
	_, err := startRun(t, si).wait()
	kindIs(t, err, KindTimeout, "The platform's sign-in did not answer within 1 second. Try again.")
}

func TestSignInCancelled(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	ctx, cancel := context.WithCancel(context.Background())
	si.Open = func(string) error { cancel(); return nil }
	_, err := si.Run(ctx)
	kindIs(t, err, KindCanceled, "cancelled")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error does not wrap context.Canceled: %v", err)
	}
}

func TestSignInPortInUse(t *testing.T) {
	as := newFakeAS(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	si := as.signIn(t)
	si.Port = ln.Addr().(*net.TCPAddr).Port
	si.Open = func(string) error { t.Error("browser opened although the port is taken"); return nil }
	_, err = si.Run(context.Background())
	kindIs(t, err, KindLocal, "port "+strconv.Itoa(si.Port))
}

func TestSignInBrowserFails(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	si.Open = func(string) error { return errors.New("no browser") }
	_, err := si.Run(context.Background())
	kindIs(t, err, KindLocal, "could not open your web browser")
}

func TestSignInRefusesBadSettings(t *testing.T) {
	as := newFakeAS(t)
	for name, mutate := range map[string]func(*SignIn){
		"no config":          func(s *SignIn) { s.Config = nil },
		"no client id":       func(s *SignIn) { s.ClientID = "" },
		"http FHIR base":     func(s *SignIn) { s.FHIRBase = "http://fhir.example.org" },
		"http token address": func(s *SignIn) { s.Config.TokenEndpoint = "http://auth.example.org/token" },
		"path with query":    func(s *SignIn) { s.Path = "/cb?x=1" },
		"port out of range":  func(s *SignIn) { s.Port = 70000 },
	} {
		si := as.signIn(t)
		mutate(si)
		si.Open = func(string) error { t.Errorf("%s: browser opened", name); return nil }
		if _, err := si.Run(context.Background()); err == nil || KindOf(err) == KindOther {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// The client can be registered once the exact redirect URI is known.
func TestSignInListeningSetsClientID(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	si.ClientID = ""
	si.Listening = func(string) { si.ClientID = as.client }
	run := startRun(t, si)
	browse(t, callbackURL(run.authURL, as.authorize(t, run.authURL)))
	if _, err := run.wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// A scripted browser (like fhirtest's) returns from Open only once the callback page has loaded.
func TestSignInSynchronousBrowser(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	si.Open = func(u string) error {
		resp, err := http.Get(callbackURL(u, as.authorize(t, u)))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return errors.New(resp.Status)
		}
		return nil
	}
	if _, err := si.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// Open's error never carries the authorization URL or its state into the error.
func TestSignInBrowserErrorRedacted(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	var authURL string
	si.Open = func(u string) error { authURL = u; return errors.New("cannot open " + u) }
	_, err := si.Run(context.Background())
	state, _ := url.Parse(authURL)
	if detail := err.Error(); strings.Contains(detail, state.Query().Get("state")) {
		t.Errorf("error reveals the state: %s", detail)
	}
}

func TestRedirectURI(t *testing.T) {
	if got := RedirectURI(8765, "/cb"); got != "http://127.0.0.1:8765/cb" {
		t.Errorf("RedirectURI = %q", got)
	}
	if got := RedirectURI(1, ""); got != "http://127.0.0.1:1/callback" {
		t.Errorf("RedirectURI default path = %q", got)
	}
}

// Parameters the authorization endpoint carries stay, except ours: each goes out once, with our value.
func TestAuthorizationURLKeepsEndpointParameters(t *testing.T) {
	si := &SignIn{FHIRBase: "https://fhir.example.org/r4", Config: &Config{AuthorizationEndpoint: "https://auth.example.org/authorize?tenant=t1&client_id=other"}}
	oc := oauthConfig(si.Config, "rd-client", RedirectURI(8765, ""), []string{"openid", "user/Task.rus"})
	got, err := authorizationURL(si, oc, "the-state", "the-verifier-the-verifier-the-verifier-0123")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	q := u.Query()
	if u.Host != "auth.example.org" || u.Path != "/authorize" || q.Get("tenant") != "t1" || len(q["client_id"]) != 1 || q.Get("client_id") != "rd-client" {
		t.Errorf("authorization URL %q", got)
	}
	if q.Get("aud") != si.FHIRBase || q.Get("scope") != "openid user/Task.rus" || q.Get("state") != "the-state" ||
		q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier("the-verifier-the-verifier-the-verifier-0123") {
		t.Errorf("authorization URL %q", got)
	}
}
