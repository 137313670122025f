package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Config is a platform's validated SMART configuration.
type Config struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, JWKSURI, RegistrationEndpoint, RevocationEndpoint string

	GrantTypes, Capabilities, CodeChallengeMethods, ScopesSupported []string

	// IssInCallback is authorization_response_iss_parameter_supported (RFC 9207): the callback must then carry iss.
	IssInCallback bool
}

// SupportsV2 reports whether the platform speaks SMART v2 scopes (capability permission-v2).
func (c *Config) SupportsV2() bool {
	return c != nil && slices.Contains(c.Capabilities, "permission-v2")
}

// oauthURIs is the CapabilityStatement extension that lists a SMART server's endpoints (SMART App Launch 1.0).
const oauthURIs = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

// Discover reads {fhirBase}/.well-known/smart-configuration and falls back to the oauth-uris extension of the
// CapabilityStatement at {fhirBase}/metadata when the former is missing or not JSON. The metadata fallback
// knows no PKCE methods: S256 is used anyway and the server may refuse.
func Discover(ctx context.Context, hc *http.Client, fhirBase string) (_ *Config, err error) {
	defer during("discover", &err)
	fhirBase = strings.TrimRight(fhirBase, "/")
	if _, err := CheckEndpoint(fhirBase); err != nil {
		return nil, err
	}
	c := platformClient(hc, true)
	cfg, wkErr := fetchConfig(ctx, c, fhirBase+"/.well-known/smart-configuration", parseSMARTConfig)
	if wkErr == nil || !worthFallback(wkErr) {
		return cfg, wkErr
	}
	cfg, mdErr := fetchConfig(ctx, c, fhirBase+"/metadata", parseCapabilityStatement)
	var st *statusError
	if mdErr != nil && errors.As(mdErr, &st) && !errors.As(wkErr, &st) {
		return nil, wkErr // the well-known answer (e.g. a web page) says more than a 404 from /metadata
	}
	return cfg, mdErr
}

// worthFallback: the well-known document is absent (4xx) or not JSON; anything else is final.
func worthFallback(err error) bool {
	var st *statusError
	return errors.Is(err, errNotJSON) || (errors.As(err, &st) && st.Status >= 400 && !retryable(st.Status))
}

var errNotJSON = errors.New("not JSON")

func fetchConfig(ctx context.Context, c *http.Client, u string, parse func([]byte) (*Config, error)) (*Config, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fail(KindLink, reasonLinkInvalid, err)
	}
	req.Header.Set("Accept", "application/json, application/fhir+json")
	resp, err := do(c, req)
	switch {
	case err != nil:
		return nil, netFailure(ctx, err)
	case retryable(resp.Status):
		return nil, fail(KindTemporary, reasonDiscoveryBusy, &statusError{resp.Status})
	case resp.Status != http.StatusOK:
		return nil, &Error{Kind: KindPlatform, Reason: reasonNoSettings, Status: resp.Status, Err: &statusError{resp.Status}}
	case resp.looksLikeHTML():
		return nil, fail(KindPlatform, reasonSettingsHTML, errNotJSON)
	case !json.Valid(resp.Body):
		return nil, fail(KindPlatform, reasonSettingsNotJSON, errNotJSON)
	}
	cfg, err := parse(resp.Body)
	if err != nil {
		return nil, err
	}
	return cfg, validate(cfg)
}

func malformed(err error) *Error {
	return fail(KindPlatform, reasonSettingsMalformed, err)
}

func parseSMARTConfig(body []byte) (*Config, error) {
	var doc struct {
		Issuer                string   `json:"issuer"`
		AuthorizationEndpoint string   `json:"authorization_endpoint"`
		TokenEndpoint         string   `json:"token_endpoint"`
		JWKSURI               string   `json:"jwks_uri"`
		RegistrationEndpoint  string   `json:"registration_endpoint"`
		RevocationEndpoint    string   `json:"revocation_endpoint"`
		GrantTypes            []string `json:"grant_types_supported"`
		Capabilities          []string `json:"capabilities"`
		CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
		ScopesSupported       []string `json:"scopes_supported"`
		IssInCallback         bool     `json:"authorization_response_iss_parameter_supported"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, malformed(err)
	}
	return &Config{
		Issuer: doc.Issuer, AuthorizationEndpoint: doc.AuthorizationEndpoint, TokenEndpoint: doc.TokenEndpoint,
		JWKSURI: doc.JWKSURI, RegistrationEndpoint: doc.RegistrationEndpoint, RevocationEndpoint: doc.RevocationEndpoint,
		GrantTypes: doc.GrantTypes, Capabilities: doc.Capabilities, CodeChallengeMethods: doc.CodeChallengeMethods,
		ScopesSupported: doc.ScopesSupported, IssInCallback: doc.IssInCallback,
	}, nil
}

type extension struct {
	URL       string      `json:"url"`
	ValueURI  string      `json:"valueUri"`
	Extension []extension `json:"extension"`
}

func parseCapabilityStatement(body []byte) (*Config, error) {
	var cs struct {
		ResourceType string `json:"resourceType"`
		Rest         []struct {
			Security struct {
				Extension []extension `json:"extension"`
			} `json:"security"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(body, &cs); err != nil {
		return nil, malformed(err)
	}
	if cs.ResourceType != "CapabilityStatement" {
		return nil, fail(KindPlatform, reasonNotFHIR, fmt.Errorf("metadata resourceType %q", sanitize(cs.ResourceType)))
	}
	for _, rest := range cs.Rest {
		for _, ext := range rest.Security.Extension {
			if ext.URL != oauthURIs {
				continue
			}
			cfg := &Config{}
			for _, e := range ext.Extension {
				switch e.URL {
				case "authorize":
					cfg.AuthorizationEndpoint = e.ValueURI
				case "token":
					cfg.TokenEndpoint = e.ValueURI
				case "register":
					cfg.RegistrationEndpoint = e.ValueURI
				case "revoke":
					cfg.RevocationEndpoint = e.ValueURI
				}
			}
			return cfg, nil
		}
	}
	return nil, fail(KindPlatform, reasonNoSMART, errors.New("no oauth-uris extension in CapabilityStatement"))
}

// validate applies smart-client.md's discovery rules.
func validate(cfg *Config) error {
	for _, ep := range []struct{ name, value string }{
		{"issuer", cfg.Issuer}, {"authorization_endpoint", cfg.AuthorizationEndpoint},
		{"token_endpoint", cfg.TokenEndpoint}, {"jwks_uri", cfg.JWKSURI},
		{"registration_endpoint", cfg.RegistrationEndpoint}, {"revocation_endpoint", cfg.RevocationEndpoint},
	} {
		if ep.value == "" {
			continue
		}
		if _, err := CheckEndpoint(ep.value); err != nil {
			return &Error{Kind: KindPlatform, Reason: reasonSettingsUnsafe, Field: ep.name, Err: err}
		}
	}
	switch {
	case cfg.TokenEndpoint == "":
		return fail(KindPlatform, reasonNoTokenEndpoint, nil)
	case cfg.AuthorizationEndpoint == "":
		return fail(KindPlatform, reasonNoAuthorizeAddress, nil)
	case len(cfg.CodeChallengeMethods) > 0 && !slices.Contains(cfg.CodeChallengeMethods, "S256"):
		return fail(KindUnsafe, reasonNoS256, nil)
	case len(cfg.GrantTypes) > 0 && !slices.Contains(cfg.GrantTypes, "authorization_code"):
		return fail(KindPlatform, reasonNoCodeGrant, nil)
	case slices.Contains(cfg.Capabilities, "sso-openid-connect") && (cfg.Issuer == "" || cfg.JWKSURI == ""):
		return fail(KindPlatform, reasonOIDCIncomplete, nil)
	}
	return nil
}
