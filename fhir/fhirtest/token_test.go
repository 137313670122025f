package fhirtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func status(t *testing.T, s *fhirtest.Server, tok string) int {
	t.Helper()
	resp, _ := do(t, s, tok, http.MethodGet, "/Task?_count=1", nil)
	return resp.StatusCode
}

func TestRefreshRotation(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	first := a.signIn(appScopes)

	second, code := a.refresh(first.RefreshToken, "")
	if code != http.StatusOK || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("refresh: %d %+v, want new access and refresh tokens", code, second)
	}
	if second.Scope != appScopes {
		t.Errorf("refreshed scope = %q", second.Scope)
	}
	third, code := a.refresh(second.RefreshToken, "")
	if code != http.StatusOK {
		t.Fatalf("second refresh: %d %+v", code, third)
	}

	// Presenting a rotated refresh token is reuse: the whole grant goes.
	if tr, code := a.refresh(first.RefreshToken, ""); code != http.StatusBadRequest || tr.Error != "invalid_grant" {
		t.Errorf("reuse: %d %+v, want 400 invalid_grant", code, tr)
	}
	if tr, _ := a.refresh(third.RefreshToken, ""); tr.Error != "invalid_grant" {
		t.Errorf("latest refresh token after reuse: %+v, want invalid_grant", tr)
	}
	if got := status(t, s, third.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("access token after reuse: %d, want 401", got)
	}
}

func TestRefreshNarrowerScope(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	first := a.signIn(appScopes)
	narrow, code := a.refresh(first.RefreshToken, "user/Task.rus")
	if code != http.StatusOK || narrow.Scope != "user/Task.rus" {
		t.Fatalf("narrower refresh: %d %+v", code, narrow)
	}
	if resp, _ := do(t, s, narrow.AccessToken, http.MethodGet, "/Patient", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("Patient search with the narrowed token: %d, want 403", resp.StatusCode)
	}
	if tr, _ := a.refresh(narrow.RefreshToken, "user/Task.cruds"); tr.Error != "invalid_scope" {
		t.Errorf("wider refresh: %+v, want invalid_scope", tr)
	}
}

func TestNoRefreshTokens(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, NoRefreshTokens: true})
	tr := newApp(t, s).signIn(appScopes)
	if tr.RefreshToken != "" || tr.AccessToken == "" {
		t.Errorf("token response = %+v, want an access token and no refresh token", tr)
	}
}

func TestNoOfflineAccessNoRefreshToken(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tr := newApp(t, s).signIn("openid fhirUser user/Task.rs")
	if tr.RefreshToken != "" || tr.Scope != "openid fhirUser user/Task.rs" {
		t.Errorf("token response = %+v, want no refresh token without offline_access", tr)
	}
}

func TestAccessTokenLifetime(t *testing.T) {
	c := newClock()
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, Now: c.Now, AccessTokenLifetime: 5 * time.Minute})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	if tr.ExpiresIn != 300 {
		t.Errorf("expires_in = %d, want 300", tr.ExpiresIn)
	}
	c.Add(5 * time.Minute)
	resp, _ := do(t, s, tr.AccessToken, http.MethodGet, "/Task", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("expired token: %d %q, want 401 invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if next, code := a.refresh(tr.RefreshToken, ""); code != http.StatusOK || status(t, s, next.AccessToken) != http.StatusOK {
		t.Errorf("refresh after expiry: %d %+v", code, next)
	}
}

func TestExpireAccessTokensAndRevokeGrants(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	s.ExpireAccessTokens()
	if got := status(t, s, tr.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("after ExpireAccessTokens: %d, want 401", got)
	}
	next, code := a.refresh(tr.RefreshToken, "")
	if code != http.StatusOK || status(t, s, next.AccessToken) != http.StatusOK {
		t.Fatalf("refresh after ExpireAccessTokens: %d %+v", code, next)
	}
	s.RevokeGrants()
	if tr, _ := a.refresh(next.RefreshToken, ""); tr.Error != "invalid_grant" {
		t.Errorf("refresh after RevokeGrants: %+v, want invalid_grant", tr)
	}
}

func TestMissingTokenChallenge(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	resp, body := do(t, s, "", http.MethodGet, "/Task", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	outcome(t, body)
}

func TestRevoke(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	revoke := func(form url.Values) int {
		resp, err := http.PostForm(s.Issuer()+"/revoke", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := revoke(url.Values{"token": {"unknown"}, "client_id": {a.clientID}}); code != http.StatusOK {
		t.Errorf("revoking an unknown token: %d, want 200", code)
	}
	if code := revoke(url.Values{"token": {tr.RefreshToken}, "client_id": {a.clientID}}); code != http.StatusOK {
		t.Errorf("revoke: %d", code)
	}
	if got, _ := a.refresh(tr.RefreshToken, ""); got.Error != "invalid_grant" {
		t.Errorf("refresh after revocation: %+v", got)
	}
	if got := status(t, s, tr.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("access token of a revoked grant: %d, want 401", got)
	}
}

func TestRequestLogHasNoSecrets(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	do(t, s, tr.AccessToken, http.MethodGet, "/Task?access_token="+tr.AccessToken, nil)
	for _, r := range s.Requests() {
		for _, secret := range []string{tr.AccessToken, tr.RefreshToken, a.verifier, fhirtest.DemoPassword} {
			if strings.Contains(r.Path+r.RawQuery, secret) {
				t.Errorf("request log %s %s?%s holds a secret", r.Method, r.Path, r.RawQuery)
			}
		}
	}
	if len(s.Requests()) == 0 {
		t.Error("no requests logged")
	}
}
