package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// TestMain doubles as the fake browser for OpenBrowser tests: with AUTH_TEST_BROWSER_OUT set, the test
// binary records its arguments there and exits (AUTH_TEST_BROWSER_EXIT: with that status).
func TestMain(m *testing.M) {
	if out := os.Getenv("AUTH_TEST_BROWSER_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(os.Args[1:], "\n")), 0o600); err != nil {
			os.Exit(100)
		}
		if os.Getenv("AUTH_TEST_BROWSER_EXIT") != "" {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var (
	signingKey = sync.OnceValue(func() *rsa.PrivateKey { return newKey() })
	otherKey   = sync.OnceValue(func() *rsa.PrivateKey { return newKey() })
)

func newKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// grant is an authorization code the fake server issued.
type grant struct{ challenge, redirectURI, clientID, scope string }

// fakeAS is a fake SMART authorization server (and FHIR base) on loopback HTTP.
type fakeAS struct {
	srv                      *httptest.Server
	issuer, fhirBase, client string

	tokenCalls atomic.Int32
	// tokenHook, when set, answers the token endpoint instead of the default behaviour.
	tokenHook func(w http.ResponseWriter, r *http.Request)
	// claims adjusts the id_token claims; sign signs them (default: RS256 with signingKey, kid k1).
	claims func(map[string]any)
	sign   func(claims map[string]any) string
	scope  string // granted scope; "" grants what was asked
	noRT   bool   // grant no refresh token
	config map[string]any

	mu    sync.Mutex
	codes map[string]grant
	seq   int
}

func newFakeAS(t *testing.T) *fakeAS {
	t.Helper()
	as := &fakeAS{client: "rd-client", codes: map[string]grant{}}
	t.Cleanup(func() { checkNoLeaks(t) }) // registered first, so it runs after every sign-in has ended
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fhir/.well-known/smart-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, as.config)
	})
	mux.HandleFunc("POST /token", as.token)
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &signingKey().PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	as.srv = httptest.NewServer(mux)
	t.Cleanup(as.srv.Close)
	as.issuer, as.fhirBase = as.srv.URL, as.srv.URL+"/fhir"
	as.config = map[string]any{
		"issuer":                           as.issuer,
		"authorization_endpoint":           as.issuer + "/authorize",
		"token_endpoint":                   as.issuer + "/token",
		"jwks_uri":                         as.issuer + "/jwks",
		"grant_types_supported":            []string{"authorization_code", "refresh_token"},
		"capabilities":                     []string{"launch-standalone", "client-public", "sso-openid-connect", "permission-v2", "permission-offline"},
		"code_challenge_methods_supported": []string{"S256"},
	}
	return as
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (as *fakeAS) discover(t *testing.T) *Config {
	t.Helper()
	cfg, err := Discover(context.Background(), nil, as.fhirBase)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	return cfg
}

func (as *fakeAS) signIn(t *testing.T) *SignIn {
	return &SignIn{FHIRBase: as.fhirBase, Config: as.discover(t), ClientID: as.client}
}

// authorize plays the person approving the request in the browser: it checks the authorization URL and
// returns the callback parameters (code, state, iss).
func (as *fakeAS) authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, as.issuer+"/authorize?") {
		t.Fatalf("authorization URL %q is not at the authorization endpoint", authURL)
	}
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": as.client, "aud": as.fhirBase, "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Fatalf("authorization URL: %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 22 || q.Has("code_verifier") {
		t.Fatalf("authorization URL: bad PKCE challenge or state")
	}
	if !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Fatalf("redirect_uri %q is not on 127.0.0.1", q.Get("redirect_uri"))
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	as.seq++
	code := fmt.Sprintf("code-%d-secret", as.seq)
	as.codes[code] = grant{q.Get("code_challenge"), q.Get("redirect_uri"), q.Get("client_id"), q.Get("scope")}
	return url.Values{"code": {code}, "state": {q.Get("state")}, "iss": {as.issuer}}
}

// callbackURL is the redirect URI of authURL with params.
func callbackURL(authURL string, params url.Values) string {
	u, _ := url.Parse(authURL)
	return u.Query().Get("redirect_uri") + "?" + params.Encode()
}

func (as *fakeAS) token(w http.ResponseWriter, r *http.Request) {
	as.tokenCalls.Add(1)
	if as.tokenHook != nil {
		as.tokenHook(w, r)
		return
	}
	if r.Header.Get("Authorization") != "" || r.ParseForm() != nil || r.PostForm.Get("client_id") != as.client {
		writeJSON(w, 400, map[string]string{"error": "invalid_client"})
		return
	}
	as.mu.Lock()
	g, ok := as.codes[r.PostForm.Get("code")]
	delete(as.codes, r.PostForm.Get("code")) // single use
	as.mu.Unlock()
	if r.PostForm.Get("grant_type") != "authorization_code" || !ok || g.redirectURI != r.PostForm.Get("redirect_uri") ||
		oauth2.S256ChallengeFromVerifier(r.PostForm.Get("code_verifier")) != g.challenge {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	}
	scope := g.scope
	if as.scope != "" {
		scope = as.scope
	}
	reply := map[string]any{"access_token": "at-" + r.PostForm.Get("code"), "token_type": "Bearer", "expires_in": 3600, "scope": scope}
	if !as.noRT {
		reply["refresh_token"] = "rt-" + r.PostForm.Get("code")
	}
	if strings.Contains(scope, "openid") {
		reply["id_token"] = as.idToken()
	}
	writeJSON(w, 200, reply)
}

func (as *fakeAS) idToken() string {
	now := time.Now()
	claims := map[string]any{
		"iss": as.issuer, "aud": as.client, "sub": "worker-1", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"fhirUser": as.fhirBase + "/Practitioner/worker-1",
	}
	if as.claims != nil {
		as.claims(claims)
	}
	if as.sign != nil {
		return as.sign(claims)
	}
	return signJWT(signingKey(), claims)
}

func signJWT(key *rsa.PrivateKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, _ := jws.CompactSerialize()
	return s
}

// unsignedJWT is an alg:none token.
func unsignedJWT(claims map[string]any) string {
	payload, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// running is a SignIn.Run in progress.
type running struct {
	authURL string
	res     *Result
	err     error
	done    chan struct{}
}

// startRun runs si in a goroutine (with a fake browser, after si.Open if set) and returns once the browser
// was asked to open, or Run ended. Cleanup cancels it and waits for it.
func startRun(t *testing.T, si *SignIn) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{done: make(chan struct{})}
	opened := make(chan string, 1)
	open := si.Open
	si.Open = func(u string) error {
		if open != nil {
			if err := open(u); err != nil {
				return err
			}
		}
		opened <- u
		return nil
	}
	go func() {
		defer close(r.done)
		r.res, r.err = si.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	select {
	case r.authURL = <-opened:
	case <-r.done:
	}
	return r
}

func (r *running) wait() (*Result, error) {
	<-r.done
	return r.res, r.err
}

// browse is the person's browser arriving at u; it returns the status and page text.
func browse(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET callback: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// checkNoLeaks fails when a goroutine still runs this package's sign-in code. Exiting goroutines get a
// moment to finish, as in go.uber.org/goleak.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	var leaked []string
	for range 200 {
		leaked = leaked[:0]
		buf := make([]byte, 1<<20)
		stacks := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
		for _, g := range stacks {
			if strings.Contains(g, "referraldesk/auth.(*loopback)") || strings.Contains(g, "referraldesk/auth.listenLoopback") ||
				strings.Contains(g, "referraldesk/auth.(*SignIn).Run") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("leaked goroutines:\n%s", strings.Join(leaked, "\n\n"))
}

// kindIs fails unless err is an *Error of kind k whose sentence contains msg.
func kindIs(t *testing.T, err error, k Kind, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %d %q", k, msg)
	}
	if KindOf(err) != k || !strings.Contains(sentence(err), msg) {
		t.Fatalf("got kind %v %q (%v), want kind %v containing %q", KindOf(err), sentence(err), err, k, msg)
	}
}

// sentence is what the case worker reads for err (app.Explain shows it).
func sentence(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Sentence()
}
