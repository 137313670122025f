package fhirtest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// The scopes Referral Desk asks for (docs/smart-client.md).
const appScopes = "openid fhirUser offline_access user/Task.rus user/ServiceRequest.rs user/Patient.rs " +
	"user/Consent.rs user/Condition.rs user/Goal.rs user/Organization.rs user/Practitioner.rs " +
	"user/PractitionerRole.rs user/Procedure.crs"

// app is a minimal native client: a loopback callback listener, PKCE and state.
type app struct {
	t        *testing.T
	s        *fhirtest.Server
	clientID string
	redirect string
	verifier string
	state    string
	callback chan url.Values
}

func newApp(t *testing.T, s *fhirtest.Server) *app {
	t.Helper()
	a := &app{t: t, s: s, callback: make(chan url.Values, 1)}
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		select {
		case a.callback <- r.URL.Query():
		default:
		}
		io.WriteString(w, "You can close this tab.")
	}))
	t.Cleanup(cb.Close)
	a.redirect = cb.URL + "/callback"
	a.clientID = s.RegisterClient(a.redirect)
	return a
}

// authURL is a fresh authorization request; extra overrides parameters
// ("" deletes one).
func (a *app) authURL(scope string, extra map[string]string) string {
	a.verifier = randomString()
	a.state = randomString()
	sum := sha256.Sum256([]byte(a.verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {a.clientID},
		"redirect_uri":          {a.redirect},
		"scope":                 {scope},
		"state":                 {a.state},
		"aud":                   {a.s.FHIRBase()},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
		"nonce":                 {"n-0S6_WzA2Mj"},
	}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return a.s.Issuer() + "/authorize?" + q.Encode()
}

// authorize runs the browser on a fresh request and returns the callback query.
func (a *app) authorize(browser func(string) error, scope string) url.Values {
	a.t.Helper()
	if err := browser(a.authURL(scope, nil)); err != nil {
		a.t.Fatalf("browser: %v", err)
	}
	return a.received()
}

func (a *app) received() url.Values {
	a.t.Helper()
	select {
	case q := <-a.callback:
		return q
	default:
		a.t.Fatal("the callback was not called")
		return nil
	}
}

// signIn runs the whole code flow and returns the token response.
func (a *app) signIn(scope string) tokenResponse {
	a.t.Helper()
	q := a.authorize(a.s.Browser(fhirtest.DemoUser, fhirtest.DemoPassword), scope)
	tr, status := a.exchange(q.Get("code"), a.verifier)
	if status != http.StatusOK {
		a.t.Fatalf("token exchange: %d %+v", status, tr)
	}
	return tr
}

func (a *app) exchange(code, verifier string) (tokenResponse, int) {
	return postToken(a.t, a.s, url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {a.clientID},
		"code":          {code},
		"redirect_uri":  {a.redirect},
		"code_verifier": {verifier},
	})
}

func (a *app) refresh(refreshToken, scope string) (tokenResponse, int) {
	f := url.Values{"grant_type": {"refresh_token"}, "client_id": {a.clientID}, "refresh_token": {refreshToken}}
	if scope != "" {
		f.Set("scope", scope)
	}
	return postToken(a.t, a.s, f)
}

type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int    `json:"expires_in"`
	Scope            string `json:"scope"`
	RefreshToken     string `json:"refresh_token"`
	IDToken          string `json:"id_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func postToken(t *testing.T, s *fhirtest.Server, form url.Values) (tokenResponse, int) {
	t.Helper()
	resp, err := http.PostForm(s.Issuer()+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("token response Cache-Control = %q, want no-store", cc)
	}
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	return tr, resp.StatusCode
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// token signs in to s with the app's scopes (or those given) and returns
// the access token.
func token(t *testing.T, s *fhirtest.Server, scope ...string) string {
	t.Helper()
	sc := appScopes
	if len(scope) > 0 {
		sc = strings.Join(scope, " ")
	}
	return newApp(t, s).signIn(sc).AccessToken
}

// do sends a FHIR request and returns the response with its body read.
func do(t *testing.T, s *fhirtest.Server, tok, method, path string, body []byte, header ...string) (*http.Response, []byte) {
	t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = s.FHIRBase() + path
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// search GETs a search and decodes the Bundle, failing unless 200.
func search(t *testing.T, s *fhirtest.Server, tok, path string, header ...string) fhir.Bundle {
	t.Helper()
	resp, body := do(t, s, tok, http.MethodGet, path, nil, header...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var b fhir.Bundle
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// ids lists "Type/id" of the entries with the given search mode.
func ids(t *testing.T, b fhir.Bundle, mode string) []string {
	t.Helper()
	var out []string
	for _, e := range b.Entry {
		if e.Search != nil && e.Search.Mode == mode {
			r, err := fhir.ParseResource(e.Resource)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r.Ref())
		}
	}
	return out
}

// outcome decodes an OperationOutcome body.
func outcome(t *testing.T, body []byte) fhir.OperationOutcome {
	t.Helper()
	var oo fhir.OperationOutcome
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" {
		t.Fatalf("not an OperationOutcome: %s", body)
	}
	return oo
}

// object decodes a JSON object.
func object(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
