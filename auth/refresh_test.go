package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// tokenServer is a token endpoint that rotates refresh tokens, unless answer overrides it.
type tokenServer struct {
	calls  atomic.Int32
	answer func(w http.ResponseWriter, r *http.Request, n int32)
	cfg    *Config
}

func newTokenServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int32)) *tokenServer {
	ts := &tokenServer{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := ts.calls.Add(1)
		r.ParseForm()
		if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("client_id") != "rd-client" || r.PostForm.Get("refresh_token") == "" ||
			r.Header.Get("Authorization") != "" { // a public client: client_id in the form, no client authentication

			writeJSON(w, 400, map[string]string{"error": "invalid_request"})
			return
		}
		if ts.answer != nil {
			ts.answer(w, r, n)
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": fmt.Sprintf("at-%d", n), "refresh_token": fmt.Sprintf("rt-%d", n), "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(srv.Close)
	ts.cfg = &Config{TokenEndpoint: srv.URL + "/token", AuthorizationEndpoint: srv.URL + "/authorize"}
	return ts
}

var (
	expiring = Token{AccessToken: "at-0", RefreshToken: "rt-0", Expiry: clock.Add(30 * time.Second)}
	fresh    = Token{AccessToken: "at-0", RefreshToken: "rt-0", Expiry: clock.Add(2 * time.Minute)}
)

func now() time.Time { return clock }

// saved records what Save received.
type saved struct {
	mu   sync.Mutex
	toks []Token
	err  error
}

func (s *saved) save(_ context.Context, t Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.toks = append(s.toks, t)
	return nil
}

func TestRefresherUsesFreshToken(t *testing.T) {
	ts := newTokenServer(t, nil)
	for _, tok := range []Token{fresh, {AccessToken: "at-0", RefreshToken: "rt-0"}} { // unknown expiry: use until a 401
		r := NewRefresher(ts.cfg, "rd-client", nil, tok, (&saved{}).save, now)
		if got, err := r.AccessToken(context.Background()); err != nil || got != "at-0" {
			t.Errorf("AccessToken = %q, %v", got, err)
		}
	}
	if ts.calls.Load() != 0 {
		t.Error("a fresh token was refreshed")
	}
}

func TestRefresherRefreshesBeforeExpiry(t *testing.T) {
	ts := newTokenServer(t, nil)
	s := &saved{}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	got, err := r.AccessToken(context.Background())
	if err != nil || got != "at-1" {
		t.Fatalf("AccessToken = %q, %v", got, err)
	}
	want := Token{AccessToken: "at-1", RefreshToken: "rt-1", Expiry: clock.Add(time.Hour)}
	if len(s.toks) != 2 || s.toks[1] != want || r.Token() != want {
		t.Errorf("saved %+v, current %+v; want the rotated token saved (after its refresh token alone) and current", s.toks, r.Token())
	}
}

func TestRefresherAfter401(t *testing.T) {
	ts := newTokenServer(t, nil)
	r := NewRefresher(ts.cfg, "rd-client", nil, fresh, (&saved{}).save, now)
	if got, err := r.Refresh(context.Background(), "at-0"); err != nil || got != "at-1" {
		t.Fatalf("Refresh(stale) = %q, %v", got, err)
	}
	// A second caller that got the 401 for the same old token gets the new one without another request.
	if got, err := r.Refresh(context.Background(), "at-0"); err != nil || got != "at-1" || ts.calls.Load() != 1 {
		t.Fatalf("Refresh(old stale) = %q, %v after %d requests", got, err, ts.calls.Load())
	}
}

func TestRefresherSavesRotationBeforeUse(t *testing.T) {
	ts := newTokenServer(t, nil)
	var r *Refresher
	var handedOut atomic.Bool
	save := func(_ context.Context, tok Token) error {
		if handedOut.Load() || r.Token().AccessToken == "at-1" {
			t.Error("the new access token was in use before Save")
		}
		if tok.RefreshToken != "rt-1" {
			t.Errorf("Save got refresh token %q, want the rotated one", tok.RefreshToken)
		}
		return nil
	}
	r = NewRefresher(ts.cfg, "rd-client", nil, expiring, save, now)
	got, err := r.AccessToken(context.Background())
	handedOut.Store(true)
	if err != nil || got != "at-1" {
		t.Fatalf("AccessToken = %q, %v", got, err)
	}
}

func TestRefresherSaveFailure(t *testing.T) {
	ts := newTokenServer(t, nil)
	s := &saved{err: errors.New("disk full")}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	_, err := r.AccessToken(context.Background())
	kindIs(t, err, KindLocal, "could not save the renewed sign-in")
	if !errors.Is(err, s.err) || r.Token() != expiring {
		t.Fatalf("err %v, current %+v: the unsaved token must not be used", err, r.Token())
	}
	// Once saving works again, the refreshed token is saved; the (possibly rotated) grant is not spent twice.
	s.err = nil
	got, err := r.AccessToken(context.Background())
	if err != nil || got != "at-1" || ts.calls.Load() != 1 || len(s.toks) != 1 || s.toks[0].RefreshToken != "rt-1" {
		t.Fatalf("retry: %q, %v, %d requests, saved %+v", got, err, ts.calls.Load(), s.toks)
	}
}

func TestRefresherSingleFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		first.Do(func() { close(started) }) // not n == 1: a rejected first request must fail the test, not hang it
		<-release
		writeJSON(w, 200, map[string]any{"access_token": fmt.Sprintf("at-%d", n), "refresh_token": fmt.Sprintf("rt-%d", n), "expires_in": 3600})
	})
	s := &saved{}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	const callers = 50
	results := make(chan string, callers)
	for range callers {
		go func() {
			tok, err := r.AccessToken(context.Background())
			if err != nil {
				tok = err.Error()
			}
			results <- tok
		}()
	}
	<-started
	close(release)
	for range callers {
		if got := <-results; got != "at-1" {
			t.Errorf("caller got %q, want at-1", got)
		}
	}
	if n := ts.calls.Load(); n != 1 || len(s.toks) != 2 { // the rotated refresh token, then the whole
		t.Errorf("%d token requests, %d saves; want 1 and 2", n, len(s.toks))
	}
}

func TestRefresherKeepsRefreshTokenNotRotated(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		writeJSON(w, 200, map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": "3600"})
	})
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, (&saved{}).save, now)
	if _, err := r.AccessToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.Token(); got.RefreshToken != "rt-0" || got.AccessToken != "at-1" {
		t.Errorf("token after refresh = %+v", got)
	}
}

// Only an OAuth error that ends the grant asks for a new sign-in. Every other failure is the platform's, to be
// retried later: it must not be ErrSignInNeeded, or the app would mark the source as needing a sign-in.
func TestRefresherFailures(t *testing.T) {
	html := func(status int) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			w.Write([]byte("<html>Maintenance. Your token rt-0 is safe.</html>"))
		}
	}
	huge := func(sized bool) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			body := `{"access_token":"at-1","token_type":"Bearer","padding":"` + strings.Repeat("x", 2<<20) + `"}`
			w.Header().Set("Content-Type", "application/json")
			if sized {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			w.Write([]byte(body))
		}
	}
	for _, c := range []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request)
		tok    Token
		target error
	}{
		{"invalid_grant", jsonReply(400, `{"error":"invalid_grant","error_description":"rt-0 was revoked"}`), expiring, ErrSignInNeeded},
		{"invalid_client", jsonReply(401, `{"error":"invalid_client"}`), expiring, ErrSignInNeeded},
		{"invalid_grant with 200", jsonReply(200, `{"error":"invalid_grant"}`), expiring, ErrSignInNeeded},
		{"unsupported_grant_type", jsonReply(400, `{"error":"unsupported_grant_type"}`), expiring, ErrSignInNeeded},
		{"no refresh token", jsonReply(200, `{}`), Token{AccessToken: "at-0", Expiry: clock}, ErrSignInNeeded},
		{"server error", jsonReply(502, `{}`), expiring, ErrTemporary},
		{"rate limited", jsonReply(429, `{"error":"slow_down"}`), expiring, ErrTemporary},
		{"server_error code", jsonReply(400, `{"error":"server_error"}`), expiring, ErrTemporary},
		{"other OAuth error", jsonReply(400, `{"error":"invalid_request"}`), expiring, ErrTemporary},
		{"HTML page", html(200), expiring, ErrTemporary},
		{"HTML 503", html(503), expiring, ErrTemporary},
		{"HTML 400", html(400), expiring, ErrTemporary},
		{"no access_token", jsonReply(200, `{"token_type":"Bearer","refresh_token":"rt-1"}`), expiring, ErrTemporary},
		{"not a bearer token", jsonReply(200, `{"access_token":"at-1","token_type":"DPoP"}`), expiring, ErrTemporary},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) { // the default client would re-POST the token
			if r.URL.Path == "/elsewhere" {
				jsonReply(200, `{"access_token":"at-1","token_type":"Bearer"}`)(w, r)
				return
			}
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}, expiring, ErrTemporary},
		{"body over 1 MiB", huge(true), expiring, ErrTemporary},
		{"body over 1 MiB, chunked", huge(false), expiring, ErrTemporary},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) { c.answer(w, r) })
			s := &saved{}
			r := NewRefresher(ts.cfg, "rd-client", nil, c.tok, s.save, now)
			_, err := r.AccessToken(context.Background())
			if !errors.Is(err, c.target) {
				t.Fatalf("err = %v (kind %d), want errors.Is %v", err, KindOf(err), c.target)
			}
			if c.name == "body over 1 MiB" && !strings.Contains(sentence(err), "far more data") { // our client's cap, not x/oauth2's silent truncation
				t.Errorf("err = %v, want the oversized body named", err)
			}
			if c.target == ErrTemporary && errors.Is(err, ErrSignInNeeded) {
				t.Fatalf("err = %v: a platform fault asks for a new sign-in", err)
			}
			if detail := err.Error(); strings.Contains(detail, "rt-0") {
				t.Errorf("error reveals the refresh token: %s", detail)
			}
			var kept []Token
			if c.name == "no access_token" { // its rotated refresh token is the live one now: kept, spent
				c.tok = Token{RefreshToken: "rt-1", Expiry: time.Unix(1, 0)}
				kept = []Token{c.tok}
			}
			if r.Token() != c.tok || !slices.Equal(s.toks, kept) {
				t.Errorf("token changed to %+v, saved %+v", r.Token(), s.toks)
			}
		})
	}
}

func TestRefresherNetworkDown(t *testing.T) {
	ts := newTokenServer(t, nil)
	ts.cfg.TokenEndpoint = "http://127.0.0.1:1/token" // nothing listens on port 1
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, (&saved{}).save, now)
	_, err := r.AccessToken(context.Background())
	if !errors.Is(err, ErrTemporary) || r.Token() != expiring {
		t.Fatalf("err = %v, token %+v", err, r.Token())
	}
}

// A caller that gives up does not abort the refresh: the rotated token is still saved.
func TestRefresherCallerCancels(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		close(started)
		<-release
		writeJSON(w, 200, map[string]any{"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600})
	})
	saveDone := make(chan Token, 1)
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, func(_ context.Context, tok Token) error { saveDone <- tok; return nil }, now)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := r.AccessToken(ctx); errc <- err }()
	<-started
	cancel()
	kindIs(t, <-errc, KindCanceled, "cancelled")
	close(release)
	if tok := <-saveDone; tok.RefreshToken != "rt-1" {
		t.Errorf("saved %+v", tok)
	}
}

func TestWaitLetsARefreshThatOutlivedItsCallerBeSaved(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		close(arrived)
		<-release
		writeJSON(w, 200, map[string]any{"access_token": "at-new", "refresh_token": "rt-new", "token_type": "Bearer", "expires_in": 3600})
	})
	s := &saved{}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := r.AccessToken(ctx); errc <- err }()
	<-arrived
	cancel() // the caller gives up (the window closes) while the platform is answering
	if err := <-errc; err == nil {
		t.Fatal("the cancelled caller got a token")
	}
	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if err := r.Wait(short); err == nil {
		t.Fatal("Wait returned while the refresh was still under way")
	}
	close(release)
	if err := r.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.toks) == 0 || s.toks[len(s.toks)-1].RefreshToken != "rt-new" || s.toks[len(s.toks)-1].AccessToken != "at-new" {
		t.Errorf("saved %+v after Wait; want the rotated refresh token saved", s.toks)
	}
}

// savingSource hands out a token only once save accepted it; a token save refused is not handed out.
func TestSavingSource(t *testing.T) {
	renewed := &oauth2.Token{AccessToken: "at-1", RefreshToken: "rt-1"}
	var handedOut bool
	var savedRT string
	src := savingSource{next: oauth2.StaticTokenSource(renewed), save: func(tok *oauth2.Token) error {
		if handedOut {
			t.Error("the token was handed out before save")
		}
		savedRT = tok.RefreshToken
		return nil
	}}
	got, err := src.Token()
	handedOut = true
	if err != nil || got.AccessToken != "at-1" || savedRT != "rt-1" {
		t.Fatalf("Token = %+v, %v; saved refresh token %q", got, err, savedRT)
	}

	diskFull := errors.New("disk full")
	src.save = func(*oauth2.Token) error { return diskFull }
	if got, err := src.Token(); got != nil || !errors.Is(err, diskFull) {
		t.Fatalf("Token after a failed save = %+v, %v; want no token and the save error", got, err)
	}
}

// A refresh answer whose access token cannot be used may still rotate the
// refresh token: the new one is the only live one, so it is kept and sent
// next time, never the old one a strict server revokes the grant for.
func TestRefreshKeepsARotatedRefreshTokenWhenTheAccessTokenIsUnusable(t *testing.T) {
	var sent []string
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		sent = append(sent, r.PostForm.Get("refresh_token"))
		if n == 1 {
			writeJSON(w, 200, map[string]any{"access_token": "at-1", "token_type": "DPoP", "refresh_token": "rt-1", "expires_in": 3600})
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": "at-2", "token_type": "Bearer", "refresh_token": "rt-2", "expires_in": 3600})
	})
	s := &saved{}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	if _, err := r.AccessToken(context.Background()); !errors.Is(err, ErrTemporary) {
		t.Fatalf("a DPoP answer gave %v; want a temporary failure", err)
	}
	if len(s.toks) != 1 || s.toks[0].RefreshToken != "rt-1" || s.toks[0].AccessToken != "" {
		t.Fatalf("saved %+v; want the rotated refresh token rt-1 kept, with no access token", s.toks)
	}
	got, err := r.AccessToken(context.Background())
	if err != nil || got != "at-2" {
		t.Fatalf("the next refresh gave %q, %v", got, err)
	}
	if len(sent) != 2 || sent[1] != "rt-1" {
		t.Errorf("refresh tokens sent: %v; the second refresh must send the rotated rt-1", sent)
	}
}
