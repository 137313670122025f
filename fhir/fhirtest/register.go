package fhirtest

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
)

// client is a registered public client.
type client struct {
	id, name     string
	redirectURIs []string
}

// allowsRedirect reports whether uri is one of the client's redirect URIs:
// exactly, or with AnyLoopbackPort, on any port of the same loopback IP
// literal with the same path (RFC 8252 §7.3).
func (c *client) allowsRedirect(uri string, anyLoopbackPort bool) bool {
	if slices.Contains(c.redirectURIs, uri) {
		return true
	}
	if !anyLoopbackPort {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || !isLoopbackIP(u.Hostname()) || u.User != nil || u.Fragment != "" {
		return false
	}
	return slices.ContainsFunc(c.redirectURIs, func(reg string) bool {
		r, err := url.Parse(reg)
		return err == nil && r.Scheme == "http" && r.Hostname() == u.Hostname() &&
			r.EscapedPath() == u.EscapedPath() && r.RawQuery == u.RawQuery
	})
}

func isLoopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RegisterClient registers a public client with these redirect URIs, as
// they are (no checks), and returns its client_id.
func (s *Server) RegisterClient(redirectURIs ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addClient("Test client", redirectURIs)
}

// demoClient is the client every Server knows from its start (DemoClientID).
func demoClient() *client {
	return &client{id: DemoClientID, name: "Referral Desk (demo)", redirectURIs: []string{DemoRedirectURI}}
}

// ForgetClients forgets every registered client, with every sign-in, code
// and token the platform issued, as this platform does when it restarts (it
// keeps them in memory) and as real ones do when they drop registrations.
// A refresh then answers invalid_client, "unknown client_id", and the
// sign-in page refuses the client. The demo client, built in, stays known.
func (s *Server) ForgetClients() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = newAuthState()
	s.auth.clients[DemoClientID] = demoClient()
}

// addClient registers a client. Caller holds s.mu.
func (s *Server) addClient(name string, redirectURIs []string) string {
	id := "client-" + randomToken()[:16]
	if name == "" {
		name = id
	}
	s.auth.clients[id] = &client{id: id, name: name, redirectURIs: slices.Clone(redirectURIs)}
	return id
}

// clientMetadata is the part of RFC 7591 client metadata this platform reads.
type clientMetadata struct {
	RedirectURIs            []string `json:"redirect_uris"`
	ClientName              string   `json:"client_name,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
}

// withoutRegistration drops the registration endpoint from a discovery
// document when NoRegistration.
func (s *Server) withoutRegistration(doc map[string]any) map[string]any {
	if s.opts.NoRegistration {
		delete(doc, "registration_endpoint")
	}
	return doc
}

// refusedURI reports the oauth-uris entry of registration when NoRegistration.
func (s *Server) refusedURI(e map[string]any) bool {
	return s.opts.NoRegistration && e["url"] == "register"
}

// register is dynamic client registration (RFC 7591) for public native
// clients: loopback http or https redirect URIs only.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if s.opts.NoRegistration {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		tokenError(w, http.StatusBadRequest, "invalid_client_metadata", "send the client metadata as application/json")
		return
	}
	var md clientMetadata
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxForm)).Decode(&md); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_client_metadata", "the body is not client metadata: "+err.Error())
		return
	}
	if len(md.RedirectURIs) == 0 {
		tokenError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris is required")
		return
	}
	for _, u := range md.RedirectURIs {
		if !registrableRedirect(u) {
			tokenError(w, http.StatusBadRequest, "invalid_redirect_uri", u+" is neither http on a loopback host nor https")
			return
		}
	}
	if md.TokenEndpointAuthMethod == "" {
		md.TokenEndpointAuthMethod = "none"
	}
	if md.TokenEndpointAuthMethod != "none" {
		tokenError(w, http.StatusBadRequest, "invalid_client_metadata", "only public clients (token_endpoint_auth_method none) can register")
		return
	}
	if len(md.GrantTypes) == 0 {
		md.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	if len(md.ResponseTypes) == 0 {
		md.ResponseTypes = []string{"code"}
	}
	for _, gt := range md.GrantTypes {
		if gt != "authorization_code" && gt != "refresh_token" {
			tokenError(w, http.StatusBadRequest, "invalid_client_metadata", "grant type "+gt+" is not supported")
			return
		}
	}
	if !slices.Equal(md.ResponseTypes, []string{"code"}) {
		tokenError(w, http.StatusBadRequest, "invalid_client_metadata", "only response type code is supported")
		return
	}
	s.mu.Lock()
	id := s.addClient(md.ClientName, md.RedirectURIs)
	name := s.auth.clients[id].name
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"client_id":                  id,
		"client_id_issued_at":        s.now().Unix(),
		"client_name":                name,
		"redirect_uris":              md.RedirectURIs,
		"token_endpoint_auth_method": md.TokenEndpointAuthMethod,
		"grant_types":                md.GrantTypes,
		"response_types":             md.ResponseTypes,
	})
}

// registrableRedirect accepts http on 127.0.0.1, [::1] or localhost (RFC
// 8252 §7.3) and https; never a fragment or user info.
func registrableRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return isLoopbackIP(u.Hostname()) || u.Hostname() == "localhost"
	}
	return false
}
