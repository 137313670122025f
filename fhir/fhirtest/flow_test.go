package fhirtest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

func newClock() *fhirtest.Clock {
	return fhirtest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
}

func TestCodeFlow(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	q := a.authorize(s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword), appScopes)
	if q.Get("state") != a.state || q.Get("iss") != s.Issuer() || q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("callback = %v, want code, state %s and iss %s", q, a.state, s.Issuer())
	}
	tr, status := a.exchange(q.Get("code"), a.verifier)
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %+v", status, tr)
	}
	if tr.TokenType != "Bearer" || tr.AccessToken == "" || tr.RefreshToken == "" || tr.ExpiresIn != 3600 || tr.Scope != appScopes {
		t.Errorf("token response = %+v", tr)
	}

	// The id_token verifies with the JWKS and names the case worker's role.
	var jwks jose.JSONWebKeySet
	getJSON(t, s.Issuer()+"/jwks", &jwks)
	idt, err := jwt.ParseSigned(tr.IDToken, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if idt.Headers[0].KeyID != jwks.Keys[0].KeyID {
		t.Errorf("id_token kid %q, JWKS kid %q", idt.Headers[0].KeyID, jwks.Keys[0].KeyID)
	}
	var claims struct {
		jwt.Claims
		FHIRUser string `json:"fhirUser"`
		Nonce    string `json:"nonce"`
	}
	if err := idt.Claims(jwks, &claims); err != nil {
		t.Fatalf("id_token signature: %v", err)
	}
	if err := claims.Validate(jwt.Expected{Issuer: s.Issuer(), AnyAudience: jwt.Audience{a.clientID}, Time: time.Now()}); err != nil {
		t.Errorf("id_token claims: %v", err)
	}
	if claims.FHIRUser != s.FHIRBase()+"/"+referralgen.CaseWorkerRole || claims.Nonce != "n-0S6_WzA2Mj" {
		t.Errorf("fhirUser %q nonce %q", claims.FHIRUser, claims.Nonce)
	}

	// The access token works on the FHIR API.
	if resp, body := do(t, s, tr.AccessToken, http.MethodGet, "/Task", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("search with the new token: %d %s", resp.StatusCode, body)
	}
}

func TestCodeExchangeChecks(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	browser := s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)

	t.Run("wrong verifier, then the code is spent", func(t *testing.T) {
		a := newApp(t, s)
		q := a.authorize(browser, appScopes)
		if tr, status := a.exchange(q.Get("code"), randomString()); status != http.StatusBadRequest || tr.Error != "invalid_grant" {
			t.Errorf("wrong verifier: %d %+v, want 400 invalid_grant", status, tr)
		}
		if tr, status := a.exchange(q.Get("code"), a.verifier); status != http.StatusBadRequest || tr.Error != "invalid_grant" {
			t.Errorf("retry with the right verifier: %d %+v, want invalid_grant (codes are single-use)", status, tr)
		}
	})
	t.Run("reuse revokes what the code issued", func(t *testing.T) {
		a := newApp(t, s)
		q := a.authorize(browser, appScopes)
		first, status := a.exchange(q.Get("code"), a.verifier)
		if status != http.StatusOK {
			t.Fatalf("first exchange: %d %+v", status, first)
		}
		if tr, status := a.exchange(q.Get("code"), a.verifier); status != http.StatusBadRequest || tr.Error != "invalid_grant" {
			t.Errorf("second exchange: %d %+v, want invalid_grant", status, tr)
		}
		if resp, _ := do(t, s, first.AccessToken, http.MethodGet, "/Task", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("access token after code reuse: %d, want 401", resp.StatusCode)
		}
		if tr, _ := a.refresh(first.RefreshToken, ""); tr.Error != "invalid_grant" {
			t.Errorf("refresh after code reuse: %+v, want invalid_grant", tr)
		}
	})
	t.Run("redirect_uri must match", func(t *testing.T) {
		a := newApp(t, s)
		q := a.authorize(browser, appScopes)
		a.redirect += "/other"
		if tr, _ := a.exchange(q.Get("code"), a.verifier); tr.Error != "invalid_grant" {
			t.Errorf("exchange with another redirect_uri: %+v, want invalid_grant", tr)
		}
	})
	t.Run("another client cannot redeem the code", func(t *testing.T) {
		a, b := newApp(t, s), newApp(t, s)
		q := a.authorize(browser, appScopes)
		b.redirect = a.redirect
		if tr, _ := b.exchange(q.Get("code"), a.verifier); tr.Error != "invalid_grant" {
			t.Errorf("exchange by another client: %+v, want invalid_grant", tr)
		}
	})
	t.Run("client authentication header is refused", func(t *testing.T) {
		a := newApp(t, s)
		q := a.authorize(browser, appScopes)
		req, _ := http.NewRequest(http.MethodPost, s.Issuer()+"/token", strings.NewReader(url.Values{
			"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {a.redirect}, "code_verifier": {a.verifier},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(a.clientID, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Basic client auth: %d, want 401", resp.StatusCode)
		}
		if _, status := a.exchange(q.Get("code"), a.verifier); status != http.StatusOK {
			t.Errorf("the code should survive a refused client authentication: %d", status)
		}
	})
}

func TestCodeExpires(t *testing.T) {
	c := newClock()
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, Now: c.Now})
	a := newApp(t, s)
	q := a.authorize(s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword), appScopes)
	c.Add(61 * time.Second)
	if tr, _ := a.exchange(q.Get("code"), a.verifier); tr.Error != "invalid_grant" {
		t.Errorf("exchange after 61 s: %+v, want invalid_grant", tr)
	}
}

func TestDenyingBrowser(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	q := a.authorize(s.DenyingBrowser(fhirtest.DemoUser, fhirtest.DemoPassword), appScopes)
	if q.Get("error") != "access_denied" || q.Get("state") != a.state || q.Get("iss") != s.Issuer() || q.Get("code") != "" {
		t.Errorf("callback = %v, want error=access_denied with state and iss", q)
	}
}

func TestWrongPassword(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	err := s.Browser(fhirtest.DemoUser, "nope")(a.authURL(appScopes, nil))
	if err == nil || !strings.Contains(err.Error(), "not right") {
		t.Errorf("browser error = %v, want the sign-in page's complaint", err)
	}
	if len(a.callback) != 0 {
		t.Error("the callback was called after a failed sign-in")
	}
}

func TestBrowserKeepsSession(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	browser := s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
	a.authorize(browser, appScopes)
	s.ResetRequests()
	if q := a.authorize(browser, appScopes); q.Get("code") == "" {
		t.Fatalf("second sign-in: %v", q)
	}
	for _, r := range s.Requests() {
		if r.Path == "/auth/sign-in" {
			t.Error("the second sign-in asked for the password again")
		}
	}
}

func TestAuthorizeRejects(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	browser := s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
	// Problems the platform cannot safely report to the redirect URI end on
	// an error page: the browser fails, the callback is never called.
	for name, extra := range map[string]map[string]string{
		"unknown client":           {"client_id": "nobody"},
		"unregistered redirect":    {"redirect_uri": "http://127.0.0.1:1/callback"},
		"no PKCE":                  {"code_challenge": "", "code_challenge_method": ""},
		"plain PKCE":               {"code_challenge_method": "plain"},
		"malformed S256 challenge": {"code_challenge": "short"},
	} {
		t.Run(name, func(t *testing.T) {
			a := newApp(t, s)
			if err := browser(a.authURL(appScopes, extra)); err == nil {
				t.Error("browser succeeded, want the error page")
			}
			if len(a.callback) != 0 {
				t.Error("the callback was called")
			}
		})
	}
	// The rest go back to the client as error=..., with state and iss.
	for name, c := range map[string]struct {
		extra map[string]string
		error string
	}{
		"missing state":  {map[string]string{"state": ""}, "invalid_request"},
		"wrong aud":      {map[string]string{"aud": "https://elsewhere.example/fhir"}, "invalid_request"},
		"token flow":     {map[string]string{"response_type": "token"}, "unsupported_response_type"},
		"no scope":       {map[string]string{"scope": ""}, "invalid_scope"},
		"aud with slash": {map[string]string{"aud": s.FHIRBase() + "/"}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			a := newApp(t, s)
			if err := browser(a.authURL(appScopes, c.extra)); err != nil {
				t.Fatalf("browser: %v", err)
			}
			q := a.received()
			if q.Get("error") != c.error || q.Get("iss") != s.Issuer() {
				t.Errorf("callback = %v, want error=%q and iss", q, c.error)
			}
			if _, dropped := c.extra["state"]; !dropped && q.Get("state") != a.state {
				t.Errorf("callback state = %q, want %q", q.Get("state"), a.state)
			}
		})
	}
}

func TestLoopbackPort(t *testing.T) {
	for _, anyPort := range []bool{false, true} {
		s := fhirtest.New(t, fhirtest.Options{Referrals: -1, AnyLoopbackPort: anyPort})
		a := newApp(t, s)
		// Register the same path on another port: only AnyLoopbackPort accepts ours.
		u, _ := url.Parse(a.redirect)
		a.clientID = s.RegisterClient("http://127.0.0.1:1" + u.Path)
		err := s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)(a.authURL(appScopes, nil))
		if (err == nil) != anyPort {
			t.Errorf("AnyLoopbackPort=%v: browser error %v", anyPort, err)
		}
	}
}

func TestDemoClient(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	a.clientID = fhirtest.DemoClientID
	// The demo client's only redirect URI is on port 7771; ours is elsewhere.
	if err := s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)(a.authURL(appScopes, nil)); err == nil {
		t.Error("the demo client accepted a redirect URI it did not register")
	}
	if err := s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)(a.authURL(appScopes, map[string]string{"redirect_uri": fhirtest.DemoRedirectURI})); err != nil &&
		strings.Contains(err.Error(), "not registered") {
		t.Errorf("the demo redirect URI was refused: %v", err)
	}
}

func TestRegister(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	post := func(md map[string]any) (int, map[string]any) {
		body, _ := json.Marshal(md)
		resp, err := http.Post(s.Issuer()+"/register", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := post(map[string]any{"redirect_uris": []string{"http://127.0.0.1:4321/callback"}, "client_name": "Referral Desk", "token_endpoint_auth_method": "none"})
	if status != http.StatusCreated || out["client_id"] == "" || out["token_endpoint_auth_method"] != "none" {
		t.Fatalf("register: %d %v", status, out)
	}
	for name, md := range map[string]map[string]any{
		"no redirect URIs":  {"client_name": "x"},
		"http off loopback": {"redirect_uris": []string{"http://example.com/callback"}},
		"custom scheme":     {"redirect_uris": []string{"javascript:alert(1)"}},
		"confidential":      {"redirect_uris": []string{"https://app.example/cb"}, "token_endpoint_auth_method": "client_secret_basic"},
	} {
		if status, out := post(md); status != http.StatusBadRequest || out["error"] == nil {
			t.Errorf("%s: %d %v, want 400 with error", name, status, out)
		}
	}
}
