package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// signingAlgs are the id_token algorithms accepted: asymmetric only, never "none" or a shared secret.
var signingAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}

// verifyIDToken checks raw's signature against cfg.JWKSURI, iss = cfg.Issuer, aud ∋ clientID, exp (and azp
// when several audiences), and returns its claims.
func verifyIDToken(ctx context.Context, hc *http.Client, cfg *Config, clientID, raw string, now func() time.Time) (map[string]any, error) {
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(ctx, platformClient(hc, true)), cfg.JWKSURI)
	v := oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{ClientID: clientID, SupportedSigningAlgs: signingAlgs, Now: now})
	idt, err := v.Verify(ctx, raw)
	if err == nil && len(idt.Audience) > 1 {
		var azp struct {
			AZP string `json:"azp"`
		}
		if err = idt.Claims(&azp); err == nil && azp.AZP != "" && azp.AZP != clientID {
			err = fmt.Errorf("id_token azp %q is not this client", sanitize(azp.AZP))
		}
	}
	var claims map[string]any
	if err == nil {
		err = idt.Claims(&claims)
	}
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, fail(KindUnsafe, reasonIDTokenExpired, err)
		}
		return nil, fail(KindUnsafe, reasonIDTokenInvalid, err)
	}
	return claims, nil
}

// fhirUser reads the SMART fhirUser claim, or the legacy SMART v1 "profile" claim.
func fhirUser(claims map[string]any) string {
	for _, name := range []string{"fhirUser", "profile"} {
		if s, ok := claims[name].(string); ok && s != "" && !hidden(s) {
			return s
		}
	}
	return ""
}
