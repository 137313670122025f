package fhirtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// NoRegistration is a platform that issues client ids by hand: neither
// discovery document names a registration endpoint, and registering fails.
func TestNoRegistration(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, NoRegistration: true})
	var c smartConfig
	if code := getJSON(t, s.FHIRBase()+"/.well-known/smart-configuration", &c); code != http.StatusOK || c.RegistrationEndpoint != "" || c.TokenEndpoint == "" {
		t.Errorf("SMART configuration (%d) names registration endpoint %q, token endpoint %q; want none and one", code, c.RegistrationEndpoint, c.TokenEndpoint)
	}
	var oidc map[string]any
	if getJSON(t, s.Issuer()+"/.well-known/openid-configuration", &oidc); oidc["registration_endpoint"] != nil {
		t.Errorf("the OpenID configuration names a registration endpoint: %v", oidc["registration_endpoint"])
	}
	resp, err := http.Get(s.FHIRBase() + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), `"revoke"`) || strings.Contains(string(body), `"register"`) {
		t.Errorf("the CapabilityStatement's oauth-uris should keep revoke and drop register (%v):\n%s", err, body)
	}
	reg, err := http.Post(s.Issuer()+"/register", "application/json", strings.NewReader(`{"redirect_uris":["http://127.0.0.1:1/callback"]}`))
	if err != nil {
		t.Fatal(err)
	}
	reg.Body.Close()
	if reg.StatusCode != http.StatusNotFound {
		t.Errorf("registering answered %d, want 404", reg.StatusCode)
	}
}
