package fhirtest_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func revokeToken(t *testing.T, s *fhirtest.Server, tok, clientID, hint string) {
	t.Helper()
	form := url.Values{"token": {tok}, "client_id": {clientID}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	resp, err := http.PostForm(s.Issuer()+"/revoke", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoking a %s answered %d, want 200 (RFC 7009 §2.2)", hint, resp.StatusCode)
	}
}

// The revocation endpoint records what it revoked, for tests, and what it
// revoked stops working: an access token alone, or a refresh token with
// its whole sign-in.
func TestRevocationsAreRecordedAndEndTheTokens(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	other := newApp(t, s).signIn(appScopes)

	revokeToken(t, s, "never-issued", a.clientID, "")
	revokeToken(t, s, other.RefreshToken, a.clientID, "refresh_token") // another client's
	if got := s.Revocations(); len(got) != 0 {
		t.Fatalf("an unknown token and another client's were recorded as revoked: %+v", got)
	}
	if got := status(t, s, other.AccessToken); got != http.StatusOK {
		t.Fatalf("another client's revocation request ended this client's sign-in: %d", got)
	}

	revokeToken(t, s, tr.AccessToken, a.clientID, "refresh_token") // a wrong hint: still found
	if got := status(t, s, tr.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("a revoked access token still reads: %d, want 401", got)
	}
	next, code := a.refresh(tr.RefreshToken, "")
	if code != http.StatusOK {
		t.Fatalf("revoking the access token alone ended the refresh token: %d %+v", code, next)
	}

	revokeToken(t, s, next.RefreshToken, a.clientID, "refresh_token")
	if got := status(t, s, next.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("an access token of a revoked sign-in still reads: %d, want 401", got)
	}
	if got, _ := a.refresh(next.RefreshToken, ""); got.Error != "invalid_grant" {
		t.Errorf("a revoked refresh token still refreshes: %+v", got)
	}
	want := []fhirtest.Revocation{{ClientID: a.clientID, Token: "access_token"}, {ClientID: a.clientID, Token: "refresh_token"}}
	if got := s.Revocations(); !slices.Equal(got, want) {
		t.Errorf("Revocations() = %+v, want %+v", got, want)
	}
}

// A platform that forgets its clients (as the demo platform does when it
// restarts) answers a refresh with invalid_client, "unknown client_id", and
// accepts none of the tokens it issued; its built-in demo client stays.
func TestForgetClients(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	s.ForgetClients()

	got, code := a.refresh(tr.RefreshToken, "")
	if code != http.StatusUnauthorized || got.Error != "invalid_client" || got.ErrorDescription != "unknown client_id" {
		t.Errorf("refresh by a forgotten client: %d %+v, want 401 invalid_client \"unknown client_id\"", code, got)
	}
	if got := status(t, s, tr.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("an access token issued before the clients were forgotten still reads: %d, want 401", got)
	}
	demo, _ := postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "client_id": {fhirtest.DemoClientID}, "refresh_token": {"x"}})
	if demo.Error != "invalid_grant" {
		t.Errorf("the demo client was forgotten too: a refresh by it answered %+v, want invalid_grant for the unknown token", demo)
	}
	again := newApp(t, s) // registering anew works
	if tok := again.signIn(appScopes); status(t, s, tok.AccessToken) != http.StatusOK {
		t.Error("a client registered after ForgetClients cannot read")
	}
}
