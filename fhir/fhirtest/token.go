package fhirtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// authState is everything the authorization server remembers. Codes and
// tokens are kept only as SHA-256 hashes. Server.mu guards it.
type authState struct {
	clients  map[string]*client
	pending  map[string]*authRequest
	sessions map[string]*session
	codes    map[string]*authCode
	refresh  map[string]*refreshToken
	access   map[string]*accessToken
	grants   []*grant
	revoked  []Revocation // what the revocation endpoint revoked (revoke.go)
}

func newAuthState() *authState {
	return &authState{
		clients:  map[string]*client{},
		pending:  map[string]*authRequest{},
		sessions: map[string]*session{},
		codes:    map[string]*authCode{},
		refresh:  map[string]*refreshToken{},
		access:   map[string]*accessToken{},
	}
}

// authCode is an issued authorization code, bound to everything the token
// request must repeat.
type authCode struct {
	clientID, redirectURI, challenge, nonce, user string
	scopes                                        []string
	expires                                       time.Time
	used                                          bool
	grant                                         *grant // the grant its exchange created
}

// grant is one approval: the tokens issued from one code, through every
// refresh. Revoking it ends them all.
type grant struct {
	clientID, user string
	scopes         []string
	revoked        bool // reuse detected, or revoked (RFC 7009): every token fails
	refreshRevoked bool // RevokeGrants: refresh fails, access tokens live out their time
}

type refreshToken struct {
	grant   *grant
	rotated bool // already exchanged: presenting it again is reuse
}

type accessToken struct {
	grant   *grant
	scopes  []string
	expires time.Time
	expired bool // ExpireAccessTokens
	revoked bool // RFC 7009
}

// token is the token endpoint (RFC 6749 §3.2) for public clients: the
// authorization_code grant with PKCE, and refresh_token with rotation.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "send the token request as application/x-www-form-urlencoded")
		return
	}
	if r.Header.Get("Authorization") != "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.Issuer()+`"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client", "this platform's clients are public (token_endpoint_auth_method none): send client_id in the form, without an Authorization header")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the form cannot be read")
		return
	}
	f := r.PostForm
	for k, vs := range f {
		if len(vs) > 1 {
			tokenError(w, http.StatusBadRequest, "invalid_request", k+" is repeated")
			return
		}
	}
	s.mu.Lock()
	status, body := s.grantTokens(f)
	s.mu.Unlock()
	writeJSON(w, status, body)
}

// grantTokens runs a token request. Caller holds s.mu.
func (s *Server) grantTokens(f url.Values) (int, map[string]any) {
	cl := s.auth.clients[f.Get("client_id")]
	switch gt := f.Get("grant_type"); {
	case gt == "":
		return oauthError(http.StatusBadRequest, "invalid_request", "grant_type is required")
	case gt != "authorization_code" && gt != "refresh_token":
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant_type "+gt+" is not supported")
	case cl == nil:
		return oauthError(http.StatusUnauthorized, "invalid_client", "unknown client_id")
	case gt == "authorization_code":
		return s.exchangeCode(cl, f)
	default:
		return s.refreshGrant(cl, f)
	}
}

// pkceVerifier is 43 to 128 unreserved characters (RFC 7636 §4.1).
var pkceVerifier = regexp.MustCompile(`^[A-Za-z0-9\-._~]{43,128}$`)

// exchangeCode redeems an authorization code. A code works once: any
// attempt consumes it, and presenting it again revokes what it issued
// (RFC 6749 §4.1.2).
func (s *Server) exchangeCode(cl *client, f url.Values) (int, map[string]any) {
	c := s.auth.codes[hashSecret(f.Get("code"))]
	if c == nil {
		return oauthError(http.StatusBadRequest, "invalid_grant", "the authorization code is not known")
	}
	if c.used {
		if c.grant != nil {
			c.grant.revoked = true
		}
		return oauthError(http.StatusBadRequest, "invalid_grant", "the authorization code was already used; the tokens issued for it are revoked")
	}
	c.used = true
	v := f.Get("code_verifier")
	sum := sha256.Sum256([]byte(v))
	switch {
	case s.now().After(c.expires):
		return oauthError(http.StatusBadRequest, "invalid_grant", "the authorization code expired")
	case c.clientID != cl.id:
		return oauthError(http.StatusBadRequest, "invalid_grant", "the authorization code was issued to another client")
	case f.Get("redirect_uri") != c.redirectURI:
		return oauthError(http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
	case !pkceVerifier.MatchString(v):
		return oauthError(http.StatusBadRequest, "invalid_grant", "code_verifier is missing or malformed")
	case subtle.ConstantTimeCompare([]byte(base64URL(sum[:])), []byte(c.challenge)) != 1:
		return oauthError(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge (PKCE)")
	}
	g := &grant{clientID: cl.id, user: c.user, scopes: c.scopes}
	s.auth.grants = append(s.auth.grants, g)
	c.grant = g
	return s.issue(g, c.scopes, c.nonce)
}

// refreshGrant exchanges a refresh token for new tokens. Every refresh
// rotates the refresh token; presenting a rotated one is treated as theft
// and revokes the whole grant (RFC 9700 §4.14.2).
func (s *Server) refreshGrant(cl *client, f url.Values) (int, map[string]any) {
	rt := s.auth.refresh[hashSecret(f.Get("refresh_token"))]
	if rt == nil {
		return oauthError(http.StatusBadRequest, "invalid_grant", "the refresh token is not known")
	}
	g := rt.grant
	switch {
	case g.revoked || g.refreshRevoked:
		return oauthError(http.StatusBadRequest, "invalid_grant", "access was revoked; sign in again")
	case g.clientID != cl.id:
		return oauthError(http.StatusBadRequest, "invalid_grant", "the refresh token was issued to another client")
	case rt.rotated:
		g.revoked = true
		return oauthError(http.StatusBadRequest, "invalid_grant", "the refresh token was already used; every token of this sign-in is revoked")
	}
	scopes := g.scopes
	if asked := f.Get("scope"); asked != "" {
		scopes = strings.Fields(asked)
		for _, sc := range scopes {
			if !slices.Contains(g.scopes, sc) {
				return oauthError(http.StatusBadRequest, "invalid_scope", sc+" was not granted")
			}
		}
	}
	rt.rotated = true
	return s.issue(g, scopes, "")
}

// issue creates an access token (and a refresh token and id_token where
// they apply) for g, with scopes.
func (s *Server) issue(g *grant, scopes []string, nonce string) (int, map[string]any) {
	now := s.now()
	access := randomToken()
	s.auth.access[hashSecret(access)] = &accessToken{grant: g, scopes: scopes, expires: now.Add(s.opts.AccessTokenLifetime)}
	body := map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(s.opts.AccessTokenLifetime.Seconds()),
		"scope":        strings.Join(scopes, " "),
	}
	if slices.Contains(g.scopes, "offline_access") && !s.opts.NoRefreshTokens {
		refresh := randomToken()
		s.auth.refresh[hashSecret(refresh)] = &refreshToken{grant: g}
		body["refresh_token"] = refresh
	}
	if slices.Contains(scopes, "openid") {
		idToken, err := s.idToken(g, scopes, nonce, now)
		if err != nil {
			return oauthError(http.StatusInternalServerError, "server_error", "cannot sign the id_token")
		}
		body["id_token"] = idToken
	}
	return http.StatusOK, body
}

// idToken is the OpenID Connect id_token, RS256 with the key in the JWKS.
// fhirUser (SMART) is the absolute URL of the case worker's PractitionerRole.
func (s *Server) idToken(g *grant, scopes []string, nonce string, now time.Time) (string, error) {
	claims := map[string]any{
		"iss": s.Issuer(),
		"sub": g.user,
		"aud": g.clientID,
		"iat": now.Unix(),
		"exp": now.Add(s.opts.AccessTokenLifetime).Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if slices.Contains(scopes, "fhirUser") || slices.Contains(scopes, "profile") {
		claims["fhirUser"] = s.FHIRBase() + "/" + referralgen.CaseWorkerRole
		claims["profile"] = claims["fhirUser"]
	}
	return jwt.Signed(s.signer).Claims(claims).Serialize()
}

func oauthError(status int, code, description string) (int, map[string]any) {
	return status, map[string]any{"error": code, "error_description": description}
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	_, body := oauthError(status, code, description)
	writeJSON(w, status, body)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
