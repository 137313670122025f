package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// What a platform answers to discovery and to a token request is untrusted
// input. The fuzz targets below answer through an in-process transport, so
// that nothing leaves this computer, and check: no panic; an error is this
// package's typed *Error with a kind the app acts on; an accepted answer has
// every field the code relies on, each by its rule.

// answering is a transport that answers every request with answer and
// records the URLs asked for.
type answering struct {
	mu     sync.Mutex
	asked  []string
	answer func(r *http.Request) *http.Response
}

func (a *answering) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	a.mu.Lock()
	a.asked = append(a.asked, r.URL.String())
	a.mu.Unlock()
	resp := a.answer(r)
	resp.Request = r
	return resp, nil
}

// reply is an HTTP answer: status 100–599 from any number, its content type
// and body.
func reply(status uint16, contentType string, body []byte) *http.Response {
	code := 100 + int(status)%500
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: code, Status: strconv.Itoa(code) + " " + http.StatusText(code), Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
}

// typedError fails unless err is this package's *Error with a kind.
func typedError(t *testing.T, what string, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind == KindOther || e.Reason == "" {
		t.Fatalf("%s: %v (%T); want an *auth.Error with a kind and a reason", what, err, err)
	}
	return e
}

var fuzzClock = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

const fuzzRefreshToken = "rt-old-7f3a9c"

// FuzzTokenAnswer: a refresh whose token endpoint answers with any status,
// content type and body.
func FuzzTokenAnswer(f *testing.F) {
	const ok = `"access_token":"at-new","token_type":"Bearer"`
	for _, s := range []struct {
		status      uint16
		contentType string
		body        string
	}{
		{100, "application/json", `{` + ok + `,"refresh_token":"rt-new","expires_in":3600,"scope":" patient/Task.rs  openid ","id_token":"x.y.z"}`},
		{100, "application/json", `{` + ok + `,"expires_in":"60"}`},
		{100, "application/json", `{` + ok + `,"expires_in":1e308}`},
		{100, "application/json", `{` + ok + `,"expires_in":-5}`},
		{100, "application/json", `{` + ok + `,"expires_in":9223372036854775807}`},
		{100, "application/json", `{` + ok + `,"expires_in":"NaN"}`},
		{100, "application/json", `{"access_token":"a b","token_type":"Bearer","refresh_token":"rt-rotated"}`},
		{100, "application/json", `{"access_token":"at","token_type":"DPoP","refresh_token":"rt-rotated"}`},
		{100, "application/json", `{"token_type":"Bearer","refresh_token":"rt-rotated"}`},
		{100, "application/json", `{"error":"invalid_grant","error_description":"` + fuzzRefreshToken + ` was revoked"}`},
		{100, "application/json", `{"access_token":"at","refresh_token":"a","Refresh_Token":"b"}`},
		{100, "application/x-www-form-urlencoded", `access_token=at&token_type=bearer&refresh_token=rt%2Bform&expires_in=60`},
		{100, "text/plain; charset=utf-8", `access_token=at&refresh_token=rt-form&%zz`},
		{100, "text/html", `<html>sign in</html>`},
		{100, "application/json", `{"access_token":"at\u0000","refresh_token":"\u0000"}`},
		{100, "application/json", "{\"access_token\":\"at\",\"refresh_token\":\"\xff\"}"},
		{300, "application/json", `{"error":"invalid_grant"}`},
		{300, "application/json", `{"error":"invalid_client"}`},
		{300, "application/json", `{"error":"invalid_request","error_description":"` + fuzzRefreshToken + `"}`},
		{301, "application/json", `{"error":"invalid_grant"}`},
		{329, "", ``},
		{400, "application/json", `{"error":"invalid_grant"}`},
		{402, "text/plain", `error=temporarily_unavailable`},
		{202, "", ``},
		{0, "", ``},
	} {
		f.Add(s.status, s.contentType, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status uint16, contentType string, body []byte) {
		var saved []Token
		hc := &http.Client{Transport: &answering{answer: func(*http.Request) *http.Response { return reply(status, contentType, body) }}}
		cfg := &Config{TokenEndpoint: "https://as.example/token", AuthorizationEndpoint: "https://as.example/authorize"}
		stale := Token{AccessToken: "at-old", RefreshToken: fuzzRefreshToken, Scope: "openid", Expiry: fuzzClock.Add(-time.Hour)}
		r := NewRefresher(cfg, "rd-client", hc, stale, func(_ context.Context, tok Token) error {
			saved = append(saved, tok)
			return nil
		}, func() time.Time { return fuzzClock })
		at, err := r.AccessToken(context.Background())
		code := 100 + int(status)%500
		tok := r.Token()

		// A rotated refresh token is kept the moment a 2xx answer gives it,
		// whatever is refused after (rotation.go).
		if rt := refreshTokenIn(contentType, body); code >= 200 && code <= 299 && rt != "" && tok.RefreshToken != rt {
			t.Fatalf("answer %d %q %q gave refresh token %q; kept %q (err %v)", code, contentType, body, rt, tok.RefreshToken, err)
		}
		if len(saved) > 0 && !reflect.DeepEqual(saved[len(saved)-1], tok) {
			t.Fatalf("answer %d %q %q: current token %+v is not the last one saved %+v", code, contentType, body, tok, saved[len(saved)-1])
		}
		if err != nil {
			e := typedError(t, "refresh", err)
			if strings.Contains(err.Error(), fuzzRefreshToken) {
				t.Fatalf("refresh error reveals the refresh token: %v", err)
			}
			if (code == 429 || code >= 500) && e.Kind != KindTemporary {
				t.Fatalf("answer %d %q %q: kind %v; want temporary", code, contentType, body, e.Kind)
			}
			// Only an OAuth error that ends the grant loses the sign-in;
			// anything else keeps the refresh token for a later try.
			if e.Kind == KindSignInNeeded && !grantEnding(oauthErrorIn(contentType, body)) {
				t.Fatalf("answer %d %q %q lost the sign-in: %v", code, contentType, body, err)
			}
			if tok.AccessToken != "" && tok.AccessToken != stale.AccessToken {
				t.Fatalf("answer %d %q %q refused, yet access token %q is current", code, contentType, body, tok.AccessToken)
			}
			return
		}
		if code < 200 || code > 299 {
			t.Fatalf("answer %d %q %q accepted: a token comes only in a 2xx answer", code, contentType, body)
		}
		if at == "" || !visibleASCII(at) || tok.AccessToken != at || len(saved) == 0 {
			t.Fatalf("answer %q accepted with access token %q (current %q, %d saved)", body, at, tok.AccessToken, len(saved))
		}
		if !tok.Expiry.IsZero() && (tok.Expiry.Before(fuzzClock) || tok.Expiry.After(fuzzClock.Add(maxLifetime))) {
			t.Fatalf("answer %q: expiry %v, not within [now, now+%v]", body, tok.Expiry, maxLifetime)
		}
		if tok.Scope != strings.Join(strings.Fields(tok.Scope), " ") {
			t.Fatalf("answer %q: scope %q is not one space between scopes", body, tok.Scope)
		}
		if tok.RefreshToken == "" {
			t.Fatalf("answer %q: the refresh token was lost", body)
		}
	})
}

// oauthErrorIn reads the OAuth error code of an answer the way x/oauth2
// reads it: a form for those content types, else JSON.
func oauthErrorIn(contentType string, body []byte) string {
	switch mt, _, _ := mime.ParseMediaType(contentType); mt {
	case "application/x-www-form-urlencoded", "text/plain":
		v, _ := url.ParseQuery(string(body))
		return v.Get("error")
	}
	var answer struct {
		Error string `json:"error"`
	}
	json.Unmarshal(body, &answer)
	return answer.Error
}

func grantEnding(code string) bool {
	return (&oauthError{Code: code}).endsGrant()
}

const (
	fuzzFHIRBase = "https://fhir.example/r4"
	fuzzOrigin   = "https://fhir.example"
)

// FuzzDiscoveryAnswer: discovery whose smart-configuration and metadata
// answer with any status, content type and body, and the first with any
// Location (a redirect).
func FuzzDiscoveryAnswer(f *testing.F) {
	base := "https://fhir.example"
	good := smartConfig(base, nil)
	for _, s := range []struct {
		wkStatus              uint16
		wkType, wkLoc, wkBody string
		mdStatus              uint16
		mdBody                string
	}{
		{100, "application/json", "", good, 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"code_challenge_methods_supported": []string{"plain"}}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"token_endpoint": "http://fhir.example/token"}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"token_endpoint": "http://127.0.0.1:8080/token"}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"authorization_endpoint": "https://user:pw@fhir.example/a"}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"authorization_endpoint": "https://fhir.example/a#x"}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"jwks_uri": nil}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"grant_types_supported": []string{"implicit"}}), 304, ""},
		{100, "application/json", "", smartConfig(base, map[string]any{"issuer": "https://fhir.example\u202e"}), 304, ""},
		{100, "application/json", "", `{"token_endpoint":"https://fhir.example/t","authorization_endpoint":"https://fhir.example/a","issuer":5}`, 304, ""},
		{100, "application/json", "", `{"token_endpoint":"https://fhir.example/t","authorization_endpoint":"https://xn--fhr-exmple-5ib.example/a"}`, 304, ""},
		{304, "text/html", "", `<html>not found</html>`, 100, strings.ReplaceAll(capabilityStatement, "BASE", base)},
		{304, "", "", ``, 100, strings.ReplaceAll(capabilityStatement, "BASE", "http://evil.example")},
		{304, "", "", ``, 304, ``},
		{100, "application/json", "", `{"a":`, 100, `{"resourceType":"Patient"}`},
		{403, "", "", ``, 304, ``},
		{402, "", "", ``, 304, ``},
		{202, "", "https://evil.example/.well-known/smart-configuration", ``, 304, ``},
		{202, "", fuzzFHIRBase + "/.well-known/smart-configuration?again", ``, 304, ``},
		{202, "", "//evil.example/x", ``, 304, ``},
	} {
		f.Add(s.wkStatus, s.wkType, s.wkLoc, []byte(s.wkBody), s.mdStatus, []byte(s.mdBody))
	}
	f.Fuzz(func(t *testing.T, wkStatus uint16, wkType, wkLocation string, wkBody []byte, mdStatus uint16, mdBody []byte) {
		tr := &answering{answer: func(r *http.Request) *http.Response {
			switch r.URL.Path {
			case "/r4/.well-known/smart-configuration":
				resp := reply(wkStatus, wkType, wkBody)
				if wkLocation != "" {
					resp.Header.Set("Location", wkLocation)
				}
				return resp
			case "/r4/metadata":
				return reply(mdStatus, "application/fhir+json", mdBody)
			}
			return reply(304, "", nil)
		}}
		cfg, err := Discover(context.Background(), &http.Client{Transport: tr}, fuzzFHIRBase)
		// Redirects may move within the platform's origin (wire.Within, the
		// policy every client of the platform has), never off it.
		for _, u := range tr.asked {
			if !strings.HasPrefix(u, fuzzOrigin+"/") {
				t.Fatalf("discovery asked %s, off the platform's origin %s (asked %q)", u, fuzzOrigin, tr.asked)
			}
		}
		if err != nil {
			e := typedError(t, "discover", err)
			if code := 100 + int(wkStatus)%500; (code == 429 || code >= 500) && e.Kind != KindTemporary {
				t.Fatalf("smart-configuration answered %d: kind %v; want temporary", code, e.Kind)
			}
			return
		}
		if cfg == nil || cfg.TokenEndpoint == "" || cfg.AuthorizationEndpoint == "" {
			t.Fatalf("discovery accepted settings without a token or authorization endpoint: %+v", cfg)
		}
		for name, ep := range map[string]string{"issuer": cfg.Issuer, "authorize": cfg.AuthorizationEndpoint, "token": cfg.TokenEndpoint,
			"jwks": cfg.JWKSURI, "register": cfg.RegistrationEndpoint, "revoke": cfg.RevocationEndpoint} {
			if ep == "" {
				continue
			}
			u, err := CheckEndpoint(ep)
			if err != nil {
				t.Fatalf("discovery accepted %s endpoint %q: %v", name, ep, err)
			}
			if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
				t.Fatalf("discovery accepted %s endpoint %q: neither https nor loopback http", name, ep)
			}
		}
		switch {
		case len(cfg.CodeChallengeMethods) > 0 && !slices.Contains(cfg.CodeChallengeMethods, "S256"):
			t.Fatalf("discovery accepted a platform without PKCE S256: %+v", cfg)
		case len(cfg.GrantTypes) > 0 && !slices.Contains(cfg.GrantTypes, "authorization_code"):
			t.Fatalf("discovery accepted a platform without the code grant: %+v", cfg)
		case slices.Contains(cfg.Capabilities, "sso-openid-connect") && (cfg.Issuer == "" || cfg.JWKSURI == ""):
			t.Fatalf("discovery accepted OpenID Connect without issuer or jwks_uri: %+v", cfg)
		}
		again, err := Discover(context.Background(), &http.Client{Transport: tr}, fuzzFHIRBase)
		if err != nil || !reflect.DeepEqual(again, cfg) {
			t.Fatalf("discovery read the same answers as %+v, then as %+v, %v", cfg, again, err)
		}
	})
}
