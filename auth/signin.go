package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// SignIn is one sign-in to a platform through the system browser: authorization code with PKCE (S256) and
// a loopback redirect (RFC 8252).
type SignIn struct {
	FHIRBase string
	Config   *Config
	ClientID string                     // read after Listening returns, so Listening may register a client and set it
	Scopes   []string                   // default Scopes(Config)
	Port     int                        // loopback port; 0 = OS-assigned (real servers often need the fixed, registered one)
	Path     string                     // default "/callback"
	Open     func(authURL string) error // the system browser; default OpenBrowser
	HTTP     *http.Client               // default: a client with a 30 s timeout
	Wait     time.Duration              // how long the person has to finish in the browser; default 5 min
	Now      func() time.Time
	// Listening, when set, is called once the loopback listener is up (before Open) with the exact redirect
	// URI, e.g. to register a client for it.
	Listening func(redirectURI string)
}

// Result is a completed sign-in.
type Result struct {
	Token         Token
	FHIRUser      string         // the id_token's fhirUser (or legacy profile) claim, when verified
	Claims        map[string]any // the verified id_token's claims; nil when there was none to verify
	GrantedScopes []string       // as granted; the requested ones when the platform did not say
	Warnings      []Reason       // what will not work (scopes, no refresh token…); Reason.Sentence says it
}

// RedirectURI is the loopback redirect URI for port and path (default "/callback").
func RedirectURI(port int, path string) string {
	if path == "" {
		path = "/callback"
	}
	return fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
}

// Run performs one sign-in and returns once the listener is closed and its goroutines are done (and Open has
// returned, or did not within 5 s).
func (s *SignIn) Run(ctx context.Context) (_ *Result, err error) {
	defer during("sign in", &err)
	f, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	// Fresh per attempt: a 256-bit PKCE verifier (RFC 7636 §4.1) and a state of at least 128 bits.
	verifier, state := oauth2.GenerateVerifier(), rand.Text()
	lb, err := listenLoopback(ctx, f.Port, f.Path, state)
	if err != nil {
		return nil, err
	}
	var openDone chan struct{}
	defer func() {
		lb.close() // also answers a scripted browser still waiting on the callback
		if openDone != nil {
			t := time.NewTimer(openGrace)
			defer t.Stop()
			select {
			case <-openDone:
			case <-t.C:
			}
		}
	}()
	redirectURI := RedirectURI(lb.port, f.Path)
	if s.Listening != nil {
		s.Listening(redirectURI)
	}
	clientID := s.ClientID
	if clientID == "" || hidden(clientID) {
		return nil, fail(KindLocal, reasonNoClientID, nil)
	}
	oc := oauthConfig(f.Config, clientID, redirectURI, f.Scopes)
	authURL, err := authorizationURL(f, oc, state, verifier)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(f.Wait)
	defer timer.Stop()
	// Open runs beside the listener: a scripted browser (tests, fhirtest) returns only after the callback.
	var openErr error
	openDone = make(chan struct{})
	go func() {
		defer close(openDone)
		openErr = f.Open(authURL)
	}()
	opening := openDone
	for {
		select {
		case <-opening:
			if openErr != nil {
				return nil, fail(KindLocal, reasonBrowserOpen, redact(openErr, authURL, state))
			}
			opening = nil
		case cb := <-lb.calls:
			res, err := f.finish(ctx, cb, oc, verifier)
			cb.reply <- err == nil
			return res, err
		case <-timer.C:
			return nil, &Error{Kind: KindTimeout, Reason: reasonSignInTimeout, Wait: f.Wait}
		case <-ctx.Done():
			return nil, fail(KindCanceled, reasonSignInCanceled, ctx.Err())
		}
	}
}

// openGrace is how long Run waits, after the sign-in ended, for Open to return.
const openGrace = 5 * time.Second

// redact keeps err unless its text carries one of the secrets (an Open func may quote the URL and its state).
func redact(err error, secrets ...string) error {
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			return errors.New(sanitize(err.Error(), secrets...))
		}
	}
	return err
}

// withDefaults checks s and returns a copy with the defaults filled in.
func (s *SignIn) withDefaults() (*SignIn, error) {
	f := *s
	if f.Config == nil {
		return nil, fail(KindLocal, reasonNoConfig, nil)
	}
	if err := validate(f.Config); err != nil {
		return nil, err
	}
	if _, err := CheckEndpoint(f.FHIRBase); err != nil {
		return nil, err
	}
	if f.Port < 0 || f.Port > 65535 {
		return nil, &Error{Kind: KindLocal, Reason: reasonBadPort, Port: f.Port}
	}
	if f.Path == "" {
		f.Path = "/callback"
	}
	if !validPath(f.Path) {
		return nil, fail(KindLocal, reasonBadPath, nil)
	}
	if f.Scopes == nil {
		f.Scopes = Scopes(f.Config)
	}
	if f.Open == nil {
		f.Open = OpenBrowser
	}
	if f.Wait <= 0 {
		f.Wait = 5 * time.Minute
	}
	if f.Now == nil {
		f.Now = time.Now
	}
	return &f, nil
}

func validPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
		return false
	}
	return strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/") == ""
}

// authorizationURL is where the browser goes: the authorization request with its PKCE challenge and SMART's
// aud, the FHIR server the token is for.
func authorizationURL(f *SignIn, oc *oauth2.Config, state, verifier string) (string, error) {
	u, err := CheckEndpoint(oc.Endpoint.AuthURL)
	if err != nil {
		return "", fail(KindPlatform, reasonAuthorizeUnsafe, err)
	}
	// Keep parameters the endpoint carries, but not ours: AuthCodeURL appends, and each must appear once
	// (RFC 6749 §3.1).
	q := u.Query()
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "aud", "code_challenge", "code_challenge_method"} {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	c := *oc
	c.Endpoint.AuthURL = u.String()
	return c.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", f.FHIRBase)), nil
}

// finish checks the callback, exchanges the code and verifies the id_token.
func (f *SignIn) finish(ctx context.Context, cb callback, oc *oauth2.Config, verifier string) (*Result, error) {
	cfg := f.Config
	// RFC 9207 mix-up defence, also for error responses: the answer must come from the server we asked.
	if (cb.iss != "" && cfg.Issuer != "" && cb.iss != cfg.Issuer) || (cb.iss == "" && cfg.IssInCallback) {
		return nil, fail(KindUnsafe, reasonMixUp, fmt.Errorf("callback iss %q, expected %q", sanitize(cb.iss), cfg.Issuer))
	}
	if cb.errCode != "" {
		return nil, callbackError(cb.errCode, cb.errDesc)
	}
	if cb.code == "" {
		return nil, fail(KindPlatform, reasonNoCode, nil)
	}
	t, err := oc.Exchange(tokenContext(ctx, f.HTTP), cb.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenFailure(ctx, err, false, cb.code, verifier)
	}
	tok, err := fromOAuth2(t, f.Now())
	if err != nil {
		return nil, tokenFailure(ctx, err, false)
	}
	if tok.Scope == "" { // RFC 6749 §5.1: omitted means as requested
		tok.Scope = strings.Join(f.Scopes, " ")
	}
	res := &Result{Token: tok, GrantedScopes: strings.Fields(tok.Scope)}
	// Without issuer and jwks_uri (metadata-only platforms) an id_token cannot be checked, so it is not read.
	if slices.Contains(f.Scopes, "openid") && tok.IDToken != "" && cfg.Issuer != "" && cfg.JWKSURI != "" {
		claims, err := verifyIDToken(ctx, f.HTTP, cfg, oc.ClientID, tok.IDToken, f.Now)
		if err != nil {
			return nil, err
		}
		res.Claims, res.FHIRUser = claims, fhirUser(claims)
	}
	res.Warnings = MissingScopes(tok.Scope)
	if tok.RefreshToken == "" && !slices.Contains(res.Warnings, reasonNoOffline) {
		res.Warnings = append(res.Warnings, reasonNoOffline)
	}
	if slices.Contains(f.Scopes, "fhirUser") && res.FHIRUser == "" && !slices.Contains(res.Warnings, reasonNoWhoAmI) {
		res.Warnings = append(res.Warnings, reasonNoWhoAmI)
	}
	return res, nil
}

// callbackError classifies an error=… callback (RFC 6749 §4.1.2.1).
func callbackError(code, desc string) *Error {
	cause := &oauthError{Code: sanitize(code), Description: sanitize(desc)}
	switch code {
	case "access_denied":
		return fail(KindRefused, reasonDenied, cause)
	case "invalid_scope":
		return fail(KindRefused, reasonScopeRefused, cause)
	case "server_error", "temporarily_unavailable":
		return fail(KindTemporary, reasonSignInBusy, cause)
	}
	return fail(KindRefused, reasonSignInRefused, cause)
}

// humanDuration says d the way a person would: "5 minutes", "30 seconds".
func humanDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		if n := int(d / time.Minute); n != 1 {
			return fmt.Sprintf("%d minutes", n)
		}
		return "1 minute"
	}
	if n := int(math.Ceil(d.Seconds())); n != 1 {
		return fmt.Sprintf("%d seconds", n)
	}
	return "1 second"
}
