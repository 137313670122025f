package auth

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestIDToken(t *testing.T) {
	for _, c := range []struct {
		name   string
		claims func(map[string]any)
		sign   func(map[string]any) string
		user   string // wanted FHIRUser; "" = the sign-in must fail
	}{
		{name: "valid", user: "/fhir/Practitioner/worker-1"},
		{name: "legacy profile claim", user: "/fhir/Practitioner/legacy", claims: func(c map[string]any) {
			c["profile"] = strings.Replace(c["fhirUser"].(string), "worker-1", "legacy", 1)
			delete(c, "fhirUser")
		}},
		{name: "signed with another key", sign: func(c map[string]any) string { return signJWT(otherKey(), c) }},
		{name: "alg none", sign: unsignedJWT},
		{name: "tampered payload", sign: func(c map[string]any) string {
			parts := strings.Split(signJWT(signingKey(), c), ".")
			c["sub"] = "admin"
			forged := strings.Split(unsignedJWT(c), ".")
			return parts[0] + "." + forged[1] + "." + parts[2]
		}},
		{name: "other audience", claims: func(c map[string]any) { c["aud"] = "someone-else" }},
		{name: "other issuer", claims: func(c map[string]any) { c["iss"] = "https://evil.example" }},
		{name: "expired", claims: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }},
		{name: "azp of another client", claims: func(c map[string]any) {
			c["aud"] = []string{"rd-client", "other"}
			c["azp"] = "other"
		}},
		{name: "not a JWT", sign: func(map[string]any) string { return "garbage" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			as := newFakeAS(t)
			as.claims, as.sign = c.claims, c.sign
			run := startRun(t, as.signIn(t))
			params := as.authorize(t, run.authURL)
			status, _ := browse(t, callbackURL(run.authURL, params))
			res, err := run.wait()
			if c.user == "" {
				kindIs(t, err, KindUnsafe, "proof of who signed in")
				if status != 400 {
					t.Errorf("page status %d, want the failure page", status)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.FHIRUser != as.srv.URL+c.user {
				t.Errorf("FHIRUser = %q", res.FHIRUser)
			}
		})
	}
}

// Platforms known only from /metadata have no issuer or jwks_uri: their id_token is not trusted or read.
func TestIDTokenWithoutJWKS(t *testing.T) {
	as := newFakeAS(t)
	si := as.signIn(t)
	si.Config.Issuer, si.Config.JWKSURI, si.Config.Capabilities = "", "", nil
	si.Scopes = Scopes(&Config{Capabilities: []string{"permission-v2"}})
	as.sign = unsignedJWT
	run := startRun(t, si)
	browse(t, callbackURL(run.authURL, as.authorize(t, run.authURL)))
	res, err := run.wait()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.FHIRUser != "" || res.Claims != nil {
		t.Errorf("unverified id_token was read: %q %v", res.FHIRUser, res.Claims)
	}
	if !slices.Contains(res.Warnings, reasonNoWhoAmI) {
		t.Errorf("warnings %q", res.Warnings)
	}
}
