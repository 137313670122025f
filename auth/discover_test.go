package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// smartConfig is a valid smart-configuration for a server at base, with changes applied.
func smartConfig(base string, changes map[string]any) string {
	doc := map[string]any{
		"issuer":                           base,
		"authorization_endpoint":           base + "/authorize",
		"token_endpoint":                   base + "/token",
		"jwks_uri":                         base + "/jwks",
		"registration_endpoint":            base + "/register",
		"revocation_endpoint":              base + "/revoke",
		"grant_types_supported":            []string{"authorization_code", "refresh_token"},
		"capabilities":                     []string{"launch-standalone", "sso-openid-connect", "permission-v2"},
		"code_challenge_methods_supported": []string{"S256"},
		"scopes_supported":                 []string{"openid", "fhirUser"},
		"authorization_response_iss_parameter_supported": true,
	}
	for k, v := range changes {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

const capabilityStatement = `{"resourceType":"CapabilityStatement","rest":[{"mode":"server","security":{"extension":[{
 "url":"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris","extension":[
  {"url":"authorize","valueUri":"BASE/authorize"},{"url":"token","valueUri":"BASE/token"},
  {"url":"register","valueUri":"BASE/register"},{"url":"revoke","valueUri":"BASE/revoke"}]}]}}]}`

func TestDiscover(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(smartConfig("http://"+r.Host, nil)))
	}))
	defer other.Close()

	type page struct {
		status int
		body   string
	}
	for _, c := range []struct {
		name            string
		wellKnown, meta page
		handler         http.HandlerFunc // instead of wellKnown/meta
		kind            Kind             // KindOther: success
		msg             string
		check           func(t *testing.T, cfg *Config, base string)
	}{
		{name: "smart-configuration", wellKnown: page{200, smartConfig("BASE", nil)}, check: func(t *testing.T, cfg *Config, base string) {
			want := Config{Issuer: base, AuthorizationEndpoint: base + "/authorize", TokenEndpoint: base + "/token",
				JWKSURI: base + "/jwks", RegistrationEndpoint: base + "/register", RevocationEndpoint: base + "/revoke", IssInCallback: true}
			got := *cfg
			got.GrantTypes, got.Capabilities, got.CodeChallengeMethods, got.ScopesSupported = nil, nil, nil, nil
			if !reflect.DeepEqual(got, want) || !cfg.SupportsV2() || !slices.Equal(cfg.CodeChallengeMethods, []string{"S256"}) {
				t.Errorf("config = %+v", cfg)
			}
		}},
		{name: "metadata fallback", wellKnown: page{404, "not found"}, meta: page{200, capabilityStatement},
			check: func(t *testing.T, cfg *Config, base string) {
				if cfg.TokenEndpoint != base+"/token" || cfg.AuthorizationEndpoint != base+"/authorize" ||
					cfg.RevocationEndpoint != base+"/revoke" || cfg.CodeChallengeMethods != nil || cfg.SupportsV2() {
					t.Errorf("config = %+v", cfg)
				}
			}},
		{name: "metadata without SMART", wellKnown: page{404, ""}, meta: page{200, `{"resourceType":"CapabilityStatement","rest":[{}]}`},
			kind: KindPlatform, msg: "does not offer SMART sign-in"},
		{name: "nothing at all", wellKnown: page{404, ""}, meta: page{404, ""}, kind: KindPlatform, msg: "no sign-in settings at this address (HTTP 404)"},
		{name: "HTML login page", wellKnown: page{200, "<!doctype html><title>Sign in</title>"}, meta: page{200, "<html>login</html>"},
			kind: KindPlatform, msg: "web page instead of its sign-in settings"},
		{name: "HTML then 404", wellKnown: page{200, "<html>login</html>"}, meta: page{404, ""}, kind: KindPlatform, msg: "web page"},
		{name: "server down", wellKnown: page{503, ""}, meta: page{200, capabilityStatement}, kind: KindTemporary, msg: "not available right now"},
		{name: "10 MB body", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"issuer":"`))
			w.Write([]byte(strings.Repeat("a", 10<<20)))
		}, kind: KindPlatform, msg: "far more data than expected"},
		{name: "10 MB body announced", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "10485760")
			w.Write([]byte(strings.Repeat(" ", 10<<20)))
		}, kind: KindPlatform, msg: "far more data than expected"},
		{name: "redirect to another host", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		}, kind: KindUnsafe, msg: "different server"},
		{name: "redirect on the same host", handler: func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/fhir/") {
				http.Redirect(w, r, "/moved"+r.URL.Path, http.StatusMovedPermanently)
				return
			}
			w.Write([]byte(smartConfig("http://"+r.Host, nil)))
		}},
		{name: "plain PKCE only", wellKnown: page{200, smartConfig("BASE", map[string]any{"code_challenge_methods_supported": []string{"plain"}})},
			kind: KindUnsafe, msg: "outdated, unsafe sign-in method"},
		{name: "PKCE list absent", wellKnown: page{200, smartConfig("BASE", map[string]any{"code_challenge_methods_supported": nil})}},
		{name: "relative endpoint", wellKnown: page{200, smartConfig("BASE", map[string]any{"token_endpoint": "/token"})},
			kind: KindPlatform, msg: "unsafe or incomplete address (token_endpoint)"},
		{name: "http endpoint", wellKnown: page{200, smartConfig("BASE", map[string]any{"authorization_endpoint": "http://auth.example.org/authorize"})},
			kind: KindPlatform, msg: "(authorization_endpoint)"},
		{name: "userinfo endpoint", wellKnown: page{200, smartConfig("BASE", map[string]any{"jwks_uri": "https://good.example@evil.example/jwks"})},
			kind: KindPlatform, msg: "(jwks_uri)"},
		{name: "javascript endpoint", wellKnown: page{200, smartConfig("BASE", map[string]any{"registration_endpoint": "javascript:alert(1)"})},
			kind: KindPlatform, msg: "(registration_endpoint)"},
		{name: "no token endpoint", wellKnown: page{200, smartConfig("BASE", map[string]any{"token_endpoint": nil})},
			kind: KindPlatform, msg: "lack a token address"},
		{name: "no authorization endpoint", wellKnown: page{200, smartConfig("BASE", map[string]any{"authorization_endpoint": nil})},
			kind: KindPlatform, msg: "does not offer sign-in through the browser"},
		{name: "no authorization_code grant", wellKnown: page{200, smartConfig("BASE", map[string]any{"grant_types_supported": []string{"client_credentials"}})},
			kind: KindPlatform, msg: "does not offer sign-in through the browser"},
		{name: "OpenID without jwks_uri", wellKnown: page{200, smartConfig("BASE", map[string]any{"jwks_uri": nil})},
			kind: KindPlatform, msg: "OpenID Connect without issuer or jwks_uri"},
		{name: "wrong JSON types", wellKnown: page{200, smartConfig("BASE", map[string]any{"capabilities": "permission-v2"})},
			kind: KindPlatform, msg: "malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := c.handler
			if h == nil {
				h = func(w http.ResponseWriter, r *http.Request) {
					p := c.meta
					if strings.HasSuffix(r.URL.Path, "/.well-known/smart-configuration") {
						p = c.wellKnown
					}
					if p.status == 0 {
						p.status = 404
					}
					if strings.HasPrefix(p.body, "<") {
						w.Header().Set("Content-Type", "text/html")
					}
					w.WriteHeader(p.status)
					w.Write([]byte(strings.ReplaceAll(p.body, "BASE", "http://"+r.Host)))
				}
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			cfg, err := Discover(context.Background(), nil, srv.URL+"/fhir/")
			if c.kind != KindOther {
				kindIs(t, err, c.kind, c.msg)
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			if c.check != nil {
				c.check(t, cfg, srv.URL)
			}
		})
	}
}

func TestDiscoverRefusesBadBase(t *testing.T) {
	for _, base := range []string{"http://fhir.example.org", "javascript:alert(1)", "https://u:p@fhir.example.org", "/fhir"} {
		if _, err := Discover(context.Background(), nil, base); KindOf(err) != KindLink {
			t.Errorf("Discover(%q) = %v, want a link error", base, err)
		}
	}
}
