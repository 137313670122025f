package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

type smartConfig struct {
	Issuer                string   `json:"issuer"`
	JWKSURI               string   `json:"jwks_uri"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RegistrationEndpoint  string   `json:"registration_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	GrantTypes            []string `json:"grant_types_supported"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	AuthMethods           []string `json:"token_endpoint_auth_methods_supported"`
	Capabilities          []string `json:"capabilities"`
	Scopes                []string `json:"scopes_supported"`
}

func TestSmartConfiguration(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	var c smartConfig
	if code := getJSON(t, s.FHIRBase()+"/.well-known/smart-configuration", &c); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, e := range [][2]string{
		{c.Issuer, s.Issuer()},
		{c.JWKSURI, s.Issuer() + "/jwks"},
		{c.AuthorizationEndpoint, s.Issuer() + "/authorize"},
		{c.TokenEndpoint, s.Issuer() + "/token"},
		{c.RegistrationEndpoint, s.Issuer() + "/register"},
		{c.RevocationEndpoint, s.Issuer() + "/revoke"},
	} {
		if e[0] != e[1] {
			t.Errorf("endpoint %q, want %q", e[0], e[1])
		}
	}
	if !slices.Equal(c.CodeChallengeMethods, []string{"S256"}) || !slices.Equal(c.AuthMethods, []string{"none"}) ||
		!slices.Equal(c.GrantTypes, []string{"authorization_code", "refresh_token"}) {
		t.Errorf("methods = %v %v %v", c.CodeChallengeMethods, c.AuthMethods, c.GrantTypes)
	}
	for _, cap := range []string{"launch-standalone", "client-public", "sso-openid-connect", "permission-offline", "permission-user", "permission-v1", "permission-v2", "authorize-post"} {
		if !slices.Contains(c.Capabilities, cap) {
			t.Errorf("capabilities lack %s: %v", cap, c.Capabilities)
		}
	}
	if !slices.Contains(c.Scopes, "user/Task.cruds") || !slices.Contains(c.Scopes, "offline_access") {
		t.Errorf("scopes_supported = %v", c.Scopes)
	}
}

func TestSmartConfigurationV1Only(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, PermissionV1Only: true})
	var c smartConfig
	getJSON(t, s.FHIRBase()+"/.well-known/smart-configuration", &c)
	if slices.Contains(c.Capabilities, "permission-v2") || !slices.Contains(c.Capabilities, "permission-v1") {
		t.Errorf("capabilities = %v, want v1 without v2", c.Capabilities)
	}
	if slices.Contains(c.Scopes, "user/Task.cruds") {
		t.Errorf("scopes_supported offers v2 scopes: %v", c.Scopes)
	}
}

type csResource struct {
	Type          string   `json:"type"`
	SearchInclude []string `json:"searchInclude"`
}

func TestOnlyCapabilityStatement(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, OnlyCapabilityStatement: true})
	if code := getJSON(t, s.FHIRBase()+"/.well-known/smart-configuration", new(any)); code != http.StatusNotFound {
		t.Errorf("smart-configuration status = %d, want 404", code)
	}
	var cs struct {
		ResourceType string `json:"resourceType"`
		FHIRVersion  string `json:"fhirVersion"`
		Rest         []struct {
			Security struct {
				Extension []struct {
					URL       string `json:"url"`
					Extension []struct {
						URL      string `json:"url"`
						ValueURI string `json:"valueUri"`
					} `json:"extension"`
				} `json:"extension"`
			} `json:"security"`
			Resource []csResource `json:"resource"`
		} `json:"rest"`
	}
	if code := getJSON(t, s.FHIRBase()+"/metadata", &cs); code != http.StatusOK {
		t.Fatalf("metadata status %d", code)
	}
	if cs.ResourceType != "CapabilityStatement" || cs.FHIRVersion != "4.0.1" || len(cs.Rest) != 1 {
		t.Fatalf("metadata = %+v", cs)
	}
	uris := map[string]string{}
	for _, e := range cs.Rest[0].Security.Extension {
		if e.URL == "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" {
			for _, x := range e.Extension {
				uris[x.URL] = x.ValueURI
			}
		}
	}
	want := map[string]string{"authorize": s.Issuer() + "/authorize", "token": s.Issuer() + "/token", "register": s.Issuer() + "/register", "revoke": s.Issuer() + "/revoke"}
	for k, v := range want {
		if uris[k] != v {
			t.Errorf("oauth-uris %s = %q, want %q", k, uris[k], v)
		}
	}
	i := slices.IndexFunc(cs.Rest[0].Resource, func(r csResource) bool { return r.Type == "Task" })
	if i < 0 || !slices.Contains(cs.Rest[0].Resource[i].SearchInclude, "Task:focus") {
		t.Errorf("metadata does not list Task with _include=Task:focus")
	}
}

func TestOpenIDConfigurationAndJWKS(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	var oc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, s.Issuer()+"/.well-known/openid-configuration", &oc)
	if oc.Issuer != s.Issuer() || oc.JWKSURI != s.Issuer()+"/jwks" {
		t.Errorf("openid-configuration = %+v", oc)
	}
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	getJSON(t, oc.JWKSURI, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0]["kty"] != "RSA" || jwks.Keys[0]["kid"] == "" || jwks.Keys[0]["d"] != nil {
		t.Errorf("jwks = %v, want one public RSA key with a kid", jwks)
	}
}
