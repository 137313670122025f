package fhirtest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

const (
	sessionCookie   = "fhirtest_session"
	sessionLifetime = 12 * time.Hour
	pendingLifetime = 10 * time.Minute
	codeLifetime    = 60 * time.Second
	maxForm         = 64 << 10 // bound on a form body of the authorization server
)

// authRequest is an authorization request waiting for the person to sign in
// and approve.
type authRequest struct {
	client      *client
	redirectURI string
	state       string
	challenge   string
	nonce       string
	scopes      []string // what will be granted
	refused     []string // asked for, not offered by this platform
	expires     time.Time
}

// session is a signed-in browser.
type session struct {
	user    string
	csrf    string
	expires time.Time
}

// pkceChallenge is BASE64URL(SHA256(verifier)): always 43 characters (RFC 7636 §4.2).
var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// authorize is the authorization endpoint (RFC 6749 §4.1.1, SMART standalone
// launch). Problems with the client or its redirect URI, and a missing or
// plain PKCE challenge, end on an error page: redirecting would hand the
// answer to an address nobody vouched for. Other problems go back to the
// client as error=... (RFC 6749 §4.1.2.1).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "The sign-in request is malformed.")
		return
	}
	p := r.Form
	for k, vs := range p {
		if len(vs) > 1 {
			s.errorPage(w, http.StatusBadRequest, "The sign-in request repeats the parameter "+k+".")
			return
		}
	}
	s.mu.Lock()
	cl := s.auth.clients[p.Get("client_id")]
	s.mu.Unlock()
	redirect := p.Get("redirect_uri")
	switch {
	case cl == nil:
		s.errorPage(w, http.StatusBadRequest, "This app is not registered with "+PlatformName+" (unknown client_id).")
		return
	case redirect == "" || !cl.allowsRedirect(redirect, s.opts.AnyLoopbackPort):
		s.errorPage(w, http.StatusBadRequest, "The address this app asked to return to ("+redirect+") is not registered for it.")
		return
	case p.Get("code_challenge_method") != "S256" || !pkceChallenge.MatchString(p.Get("code_challenge")):
		s.errorPage(w, http.StatusBadRequest, "This platform requires PKCE with code_challenge_method=S256 and a code_challenge; the plain method is not accepted.")
		return
	}
	state := p.Get("state")
	fail := func(code, description string) { s.redirectError(w, r, redirect, state, code, description) }
	aud := strings.TrimSuffix(p.Get("aud"), "/")
	switch {
	case p.Get("response_type") == "":
		fail("invalid_request", "response_type is required")
	case p.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
	case state == "":
		fail("invalid_request", "state is required")
	case aud != s.FHIRBase():
		fail("invalid_request", "aud must be this platform's FHIR base URL, "+s.FHIRBase())
	case strings.TrimSpace(p.Get("scope")) == "":
		fail("invalid_scope", "scope is required")
	default:
		granted, refused := s.grantable(strings.Fields(p.Get("scope")))
		req := &authRequest{
			client: cl, redirectURI: redirect, state: state, challenge: p.Get("code_challenge"),
			nonce: p.Get("nonce"), scopes: granted, refused: refused,
			expires: s.now().Add(pendingLifetime),
		}
		id := randomToken()
		s.mu.Lock()
		s.auth.pending[id] = req
		signedIn := s.session(r) != nil
		s.mu.Unlock()
		if signedIn {
			http.Redirect(w, r, "/auth/approve?request="+url.QueryEscape(id), http.StatusSeeOther)
			return
		}
		s.signInPage(w, http.StatusOK, id, req, "", "")
	}
}

// signIn checks the sign-in form; on success it starts a session and goes
// on to the approve page.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	r.ParseForm()
	id := r.PostForm.Get("request")
	user, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	s.mu.Lock()
	req := s.pendingRequest(id)
	ok := user == DemoUser && subtle.ConstantTimeCompare([]byte(password), []byte(DemoPassword)) == 1
	var sid string
	if req != nil && ok {
		sid = randomToken()
		s.auth.sessions[sid] = &session{user: user, csrf: randomToken(), expires: s.now().Add(sessionLifetime)}
	}
	s.mu.Unlock()
	switch {
	case req == nil:
		s.errorPage(w, http.StatusBadRequest, "This sign-in attempt expired. Go back to the app and start again.")
	case !ok:
		s.signInPage(w, http.StatusUnauthorized, id, req, user, "The user name or password is not right.")
	default:
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/auth/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/auth/approve?request="+url.QueryEscape(id), http.StatusSeeOther)
	}
}

// approvePage shows what the app asks for, for a signed-in person.
func (s *Server) approvePage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("request")
	s.mu.Lock()
	req, sess := s.pendingRequest(id), s.session(r)
	s.mu.Unlock()
	switch {
	case req == nil:
		s.errorPage(w, http.StatusBadRequest, "This sign-in attempt expired. Go back to the app and start again.")
	case sess == nil:
		s.signInPage(w, http.StatusOK, id, req, "", "")
	default:
		s.consentPage(w, id, req, sess)
	}
}

// approve records the person's decision and sends the browser back to the
// app: with a code (approve) or error=access_denied (deny), and always the
// state and iss (RFC 9207).
func (s *Server) approve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	r.ParseForm()
	id := r.PostForm.Get("request")
	s.mu.Lock()
	req, sess := s.pendingRequest(id), s.session(r)
	csrfOK := sess != nil && subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.csrf)) == 1
	decision := r.PostForm.Get("decision")
	var code string
	if req != nil && csrfOK && decision == "approve" {
		code = randomToken()
		s.auth.codes[hashSecret(code)] = &authCode{
			clientID: req.client.id, redirectURI: req.redirectURI, challenge: req.challenge, nonce: req.nonce,
			user: sess.user, scopes: req.scopes, expires: s.now().Add(codeLifetime),
		}
	}
	if req != nil && csrfOK && (decision == "approve" || decision == "deny") {
		delete(s.auth.pending, id)
	}
	s.mu.Unlock()
	switch {
	case req == nil:
		s.errorPage(w, http.StatusBadRequest, "This sign-in attempt expired. Go back to the app and start again.")
	case !csrfOK:
		s.errorPage(w, http.StatusForbidden, "This page was not sent by your sign-in. Go back to the app and start again.")
	case decision == "approve":
		s.redirectWith(w, r, req.redirectURI, url.Values{"code": {code}, "state": {req.state}})
	case decision == "deny":
		s.redirectError(w, r, req.redirectURI, req.state, "access_denied", "the user denied the request")
	default:
		s.errorPage(w, http.StatusBadRequest, "Choose Allow or Deny.")
	}
}

// redirectError sends an OAuth error back to the client (RFC 6749 §4.1.2.1).
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, redirect, state, code, description string) {
	q := url.Values{"error": {code}, "error_description": {description}}
	if state != "" {
		q.Set("state", state)
	}
	s.redirectWith(w, r, redirect, q)
}

// redirectWith adds q and iss to the redirect URI and sends the browser there.
func (s *Server) redirectWith(w http.ResponseWriter, r *http.Request, redirect string, q url.Values) {
	u, _ := url.Parse(redirect)
	all := u.Query()
	for k, v := range q {
		all[k] = v
	}
	all.Set("iss", s.Issuer())
	u.RawQuery = all.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// pendingRequest is the live authorization request id. Caller holds s.mu.
func (s *Server) pendingRequest(id string) *authRequest {
	req := s.auth.pending[id]
	if req == nil || s.now().After(req.expires) {
		delete(s.auth.pending, id)
		return nil
	}
	return req
}

// session is the live session of the browser. Caller holds s.mu.
func (s *Server) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	sess := s.auth.sessions[c.Value]
	if sess == nil || s.now().After(sess.expires) {
		delete(s.auth.sessions, c.Value)
		return nil
	}
	return sess
}
