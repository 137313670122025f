package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Token is what a platform's token endpoint granted. A zero Expiry means unknown: use it until a 401.
type Token struct {
	AccessToken, RefreshToken, IDToken, Scope string
	Expiry                                    time.Time
}

// maxLifetime caps absurd expires_in values (and keeps time arithmetic from overflowing).
const maxLifetime = 10 * 365 * 24 * time.Hour

// oauthConfig is a platform's endpoints as golang.org/x/oauth2 sees them, for a public client. AuthStyleInParams
// sends client_id in the form and no secret; the default auto-detect would re-send a failed request, one-time
// code included, in the other style (smart-client.md, "golang.org/x/oauth2 traps").
func oauthConfig(cfg *Config, clientID, redirectURI string, scopes []string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    clientID,
		RedirectURL: redirectURI,
		Scopes:      scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   cfg.AuthorizationEndpoint,
			TokenURL:  cfg.TokenEndpoint,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// tokenContext makes x/oauth2 send its token requests through hc under this package's HTTP policy: a timeout,
// bodies capped, and no redirect followed, since the requests carry codes and tokens.
func tokenContext(ctx context.Context, hc *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, platformClient(hc, false))
}

var errBadTokenReply = errors.New("unusable token response")

// fromOAuth2 checks a token x/oauth2 accepted (it has already refused error replies, unreadable bodies and a
// missing access_token) and reads the fields it leaves in Extra. now is the caller's clock: x/oauth2's own
// Expiry uses time.Now.
func fromOAuth2(t *oauth2.Token, now time.Time) (Token, error) {
	switch {
	case t.AccessToken == "" || !visibleASCII(t.AccessToken):
		return Token{}, fmt.Errorf("%w: missing or malformed access_token", errBadTokenReply)
	case t.TokenType != "" && !strings.EqualFold(t.TokenType, "bearer"):
		// RFC 6749 §7.1; SMART grants Bearer tokens only. A missing token_type is tolerated.
		return Token{}, fmt.Errorf("%w: token_type %q", errBadTokenReply, sanitize(t.TokenType))
	}
	idToken, _ := t.Extra("id_token").(string)
	scope, _ := t.Extra("scope").(string)
	return Token{
		AccessToken:  t.AccessToken,
		RefreshToken: t.RefreshToken,
		IDToken:      idToken,
		Scope:        strings.Join(strings.Fields(scope), " "),
		Expiry:       expiry(t.Extra("expires_in"), now),
	}, nil
}

// expiry turns the expires_in x/oauth2 let through (a number, or a numeric string as some servers send it)
// into a time: missing means unknown (zero), zero or negative means already expired.
func expiry(v any, now time.Time) time.Time {
	var secs float64
	switch v := v.(type) {
	case float64: // JSON
		secs = v
	case int64: // a form-encoded reply
		secs = float64(v)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return time.Time{}
		}
		secs = f
	default:
		return time.Time{}
	}
	switch {
	case math.IsNaN(secs):
		return time.Time{}
	case secs <= 0:
		return now
	case secs > maxLifetime.Seconds():
		return now.Add(maxLifetime)
	}
	return now.Add(time.Duration(secs * float64(time.Second)))
}

// visibleASCII reports a string that can go into an Authorization header as is.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// oauthError is an OAuth error response (RFC 6749 §5.2), including one sent with HTTP 200.
type oauthError struct {
	Status            int
	Code, Description string // sanitized
}

func (e *oauthError) Error() string {
	return fmt.Sprintf("HTTP %d, OAuth error %q: %s", e.Status, e.Code, e.Description)
}

// endsGrant reports the OAuth errors after which a refresh can never succeed, so only a new sign-in helps
// (RFC 6749 §5.2): the grant is revoked or expired, the client is unknown, or it may not renew sign-ins.
func (e *oauthError) endsGrant() bool {
	switch e.Code {
	case "invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type":
		return true
	}
	return false
}

// busy reports an answer that asks to come back later.
func (e *oauthError) busy() bool {
	return retryable(e.Status) || e.Code == "temporarily_unavailable" || e.Code == "server_error"
}

// tokenCause turns an error from x/oauth2 into this package's causes: *oauthError or *statusError for an
// answer, errBadTokenReply for one that could not be used, or the transport's *url.Error as is. It never keeps
// a *oauth2.RetrieveError: its text quotes the body, where a platform may echo a code or token. secrets are
// removed from the text kept.
func tokenCause(err error, secrets ...string) error {
	var re *oauth2.RetrieveError
	var ue *url.Error
	switch {
	case errors.As(err, &re):
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		if re.ErrorCode == "" {
			return &statusError{status}
		}
		return &oauthError{Status: status, Code: sanitize(re.ErrorCode, secrets...), Description: sanitize(re.ErrorDescription, secrets...)}
	case errors.As(err, &ue), errors.Is(err, errBadTokenReply):
		return err
	}
	// x/oauth2's "cannot parse json", "cannot fetch token" (reading the body), "missing access_token".
	return fmt.Errorf("%w: %s", errBadTokenReply, sanitize(err.Error(), secrets...))
}

// tokenFailure classifies an error from the token endpoint, for the code exchange or (refreshing)
// a refresh; secrets are kept out of it.
//
// During a refresh only an OAuth error that ends the grant asks for a new sign-in. Anything else (an
// unreadable answer, 5xx, 429, the network, the refresh's own deadline) is a platform fault: the refresh token
// is kept and the refresh retried later. This matters because the app treats every refresh error that is not
// ErrTemporary as a lost sign-in.
func tokenFailure(ctx context.Context, err error, refreshing bool, secrets ...string) *Error {
	cause := tokenCause(err, secrets...)
	var oe *oauthError
	var st *statusError
	switch {
	case ctx.Err() != nil && refreshing: // callers cannot cancel a refresh: this is its own deadline
		return fail(KindTemporary, ReasonNoAnswer, cause)
	case ctx.Err() != nil:
		return fail(KindCanceled, reasonCanceled, cause)
	case errors.As(cause, &oe) && oe.busy(), errors.As(cause, &st) && retryable(st.Status):
		return fail(KindTemporary, reasonTokenBusy, cause)
	case errors.As(cause, &oe) && refreshing && oe.Code == "invalid_client": // reset, or dropped the registration
		return fail(KindSignInNeeded, ReasonClientUnknown, cause)
	case errors.As(cause, &oe) && refreshing && oe.endsGrant():
		return fail(KindSignInNeeded, reasonSignInEnded, cause)
	case errors.As(cause, &oe) && refreshing:
		return fail(KindTemporary, reasonRefreshDeclined, cause)
	case errors.As(cause, &oe):
		return fail(KindRefused, reasonTokenRefused, cause)
	case (errors.As(cause, &st) || errors.Is(cause, errBadTokenReply)) && refreshing:
		return fail(KindTemporary, reasonRefreshUnusable, cause)
	case errors.As(cause, &st), errors.Is(cause, errBadTokenReply):
		return fail(KindPlatform, reasonTokenUnusable, cause)
	}
	e := netFailure(ctx, cause)
	if refreshing { // an untrusted certificate or an oversized body too: the platform's to fix, the grant lives on
		e.Kind = KindTemporary
	}
	return e
}
