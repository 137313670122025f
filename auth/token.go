package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Token is what a platform's token endpoint granted. A zero Expiry means unknown: use it until a 401.
type Token struct {
	AccessToken, RefreshToken, IDToken, Scope string
	Expiry                                    time.Time
}

// maxLifetime caps absurd expires_in values (and keeps time arithmetic from overflowing).
const maxLifetime = 10 * 365 * 24 * time.Hour

// oauthError is an OAuth error response (RFC 6749 §5.2), including one sent with HTTP 200.
type oauthError struct {
	Status            int
	Code, Description string // sanitized
}

func (e *oauthError) Error() string {
	return fmt.Sprintf("HTTP %d, OAuth error %q: %s", e.Status, e.Code, e.Description)
}

// signInNeeded reports the OAuth errors after which only a new sign-in helps (RFC 6749 §5.2).
func (e *oauthError) signInNeeded() bool {
	switch e.Code {
	case "invalid_grant", "invalid_client", "unauthorized_client":
		return true
	}
	return false
}

var errBadTokenReply = errors.New("unusable token response")

// requestToken POSTs form to the token endpoint and validates the answer. Its errors are raw causes
// (transport errors, *oauthError, *statusError, errBadTokenReply); callers turn them into sentences.
// secrets are removed from anything the server echoes into error text.
func requestToken(ctx context.Context, hc *http.Client, endpoint string, form url.Values, now func() time.Time, secrets ...string) (Token, error) {
	resp, err := postForm(ctx, hc, endpoint, form)
	if err != nil {
		return Token{}, err
	}
	var reply struct {
		AccessToken      string          `json:"access_token"`
		TokenType        string          `json:"token_type"`
		RefreshToken     string          `json:"refresh_token"`
		IDToken          string          `json:"id_token"`
		Scope            string          `json:"scope"`
		ExpiresIn        json.RawMessage `json:"expires_in"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
	}
	jsonErr := json.Unmarshal(resp.Body, &reply)
	switch {
	case jsonErr == nil && reply.Error != "":
		return Token{}, &oauthError{Status: resp.Status, Code: sanitize(reply.Error, secrets...), Description: sanitize(reply.ErrorDescription, secrets...)}
	case resp.Status != http.StatusOK:
		return Token{}, &statusError{resp.Status}
	case jsonErr != nil:
		return Token{}, fmt.Errorf("%w: not JSON", errBadTokenReply)
	case reply.AccessToken == "" || !visibleASCII(reply.AccessToken):
		return Token{}, fmt.Errorf("%w: missing or malformed access_token", errBadTokenReply)
	case reply.TokenType != "" && !strings.EqualFold(reply.TokenType, "bearer"):
		// RFC 6749 §7.1; SMART grants Bearer tokens only. A missing token_type is tolerated.
		return Token{}, fmt.Errorf("%w: token_type %q", errBadTokenReply, sanitize(reply.TokenType))
	}
	return Token{
		AccessToken:  reply.AccessToken,
		RefreshToken: reply.RefreshToken,
		IDToken:      reply.IDToken,
		Scope:        strings.Join(strings.Fields(reply.Scope), " "),
		Expiry:       expiry(reply.ExpiresIn, now()),
	}, nil
}

// expiry turns expires_in into a time: numbers and numeric strings are accepted, missing or unreadable
// means unknown (zero), zero or negative means already expired.
func expiry(raw json.RawMessage, now time.Time) time.Time {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return time.Time{}
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return time.Time{}
		}
		secs = f
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

// tokenFailure turns a requestToken error into a sentence, for the code exchange or (refreshing) a refresh.
func tokenFailure(ctx context.Context, err error, refreshing bool) *Error {
	var oe *oauthError
	var st *statusError
	switch {
	case errors.As(err, &oe) && (retryable(oe.Status) || oe.Code == "temporarily_unavailable" || oe.Code == "server_error"):
		return fail(KindTemporary, "The platform could not answer right now. Try again later; nothing was lost.", err)
	case errors.As(err, &oe) && refreshing && oe.signInNeeded():
		return fail(KindSignInNeeded, "Your sign-in to this platform has ended. Sign in again to keep working with it; nothing you saved was lost.", err)
	case errors.As(err, &oe) && refreshing:
		return fail(KindRefused, "The platform refused to renew the sign-in. Sign in again; nothing you saved was lost.", err)
	case errors.As(err, &oe):
		return fail(KindRefused, "The platform did not accept the sign-in. Try again; nothing was saved.", err)
	case errors.As(err, &st) && retryable(st.Status):
		return fail(KindTemporary, "The platform could not answer right now. Try again later; nothing was lost.", err)
	case errors.As(err, &st), errors.Is(err, errBadTokenReply):
		return fail(KindPlatform, "The platform answered the sign-in with something Referral Desk cannot use. Try again later or ask the platform.", err)
	}
	return netFailure(ctx, err)
}
