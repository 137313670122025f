package fhirtest

import "net/http"

// Revocation is one token the revocation endpoint revoked: which client
// asked, and what the token was. It holds no token.
type Revocation struct {
	ClientID string
	Token    string // "refresh_token" or "access_token": what the platform found, whatever the hint said
}

// Revocations lists the tokens revoked at the revocation endpoint so far,
// oldest first. Unknown tokens, and tokens of another client, are not listed.
func (s *Server) Revocations() []Revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Revocation(nil), s.auth.revoked...)
}

// revoke is the revocation endpoint (RFC 7009). Revoking a refresh token
// revokes its grant, so every token of that sign-in fails; revoking an
// access token, that token. The hint is only a hint: both kinds are looked
// up (§2.1). Unknown tokens, and tokens of another client, get 200 too
// (§2.2), and change nothing.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	r.ParseForm()
	tok, clientID := r.PostForm.Get("token"), r.PostForm.Get("client_id")
	if tok == "" || clientID == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "token and client_id are required")
		return
	}
	h := hashSecret(tok)
	s.mu.Lock()
	if rt := s.auth.refresh[h]; rt != nil && rt.grant.clientID == clientID {
		rt.grant.revoked = true
		s.auth.revoked = append(s.auth.revoked, Revocation{ClientID: clientID, Token: "refresh_token"})
	}
	if at := s.auth.access[h]; at != nil && at.grant.clientID == clientID {
		at.revoked = true
		s.auth.revoked = append(s.auth.revoked, Revocation{ClientID: clientID, Token: "access_token"})
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
