package fhirtest

import (
	"maps"
	"net/http"
	"slices"
)

// smartConfiguration serves {fhirBase}/.well-known/smart-configuration
// (SMART App Launch 2.x §Conformance), unless OnlyCapabilityStatement.
func (s *Server) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	if s.opts.OnlyCapabilityStatement {
		s.writeReply(w, outcomeReply(http.StatusNotFound, "not-found", "this platform publishes its endpoints only in /metadata"))
		return
	}
	doc := s.endpoints()
	maps.Copy(doc, map[string]any{
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"response_types_supported":              []string{"code"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"scopes_supported":                      s.scopesSupported(),
		"capabilities":                          s.capabilities(),
	})
	writeJSON(w, http.StatusOK, doc)
}

// endpoints are the authorization server's issuer and URLs, the same in
// both discovery documents.
func (s *Server) endpoints() map[string]any {
	return s.withoutRegistration(map[string]any{
		"issuer":                 s.Issuer(),
		"jwks_uri":               s.Issuer() + "/jwks",
		"authorization_endpoint": s.Issuer() + "/authorize",
		"token_endpoint":         s.Issuer() + "/token",
		"registration_endpoint":  s.Issuer() + "/register",
		"revocation_endpoint":    s.Issuer() + "/revoke",
	})
}

// capabilities are the SMART capabilities advertised; PermissionV1Only drops permission-v2.
func (s *Server) capabilities() []string {
	c := []string{"launch-standalone", "client-public", "sso-openid-connect", "permission-offline", "permission-user", "permission-v1", "permission-v2", "authorize-post"}
	if s.opts.PermissionV1Only {
		c = slices.DeleteFunc(c, func(e string) bool { return e == "permission-v2" })
	}
	return c
}

// openIDConfiguration serves the OpenID Provider metadata at the issuer, for
// clients that verify id_tokens with an OIDC library.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	doc := s.endpoints()
	maps.Copy(doc, map[string]any{
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"scopes_supported":                      s.scopesSupported(),
		"claims_supported":                      []string{"iss", "sub", "aud", "exp", "iat", "nonce", "fhirUser", "profile"},
	})
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.jwks)
}

// capabilityStatement serves {fhirBase}/metadata: what this platform does,
// and where its OAuth endpoints are (the oauth-uris extension).
func (s *Server) capabilityStatement(w http.ResponseWriter, r *http.Request) {
	ext := func(url, value string) map[string]any { return map[string]any{"url": url, "valueUri": value} }
	var resources []map[string]any
	for _, typ := range resourceTypes {
		interactions := []map[string]any{{"code": "read"}, {"code": "vread"}, {"code": "search-type"}}
		if s.updatable(typ) {
			interactions = append(interactions, map[string]any{"code": "update"})
		}
		_, canCreate := s.creatable(typ)
		if canCreate {
			interactions = append(interactions, map[string]any{"code": "create"})
		}
		if typ == "Task" && s.opts.CompleteCapabilityStatement {
			interactions = append(interactions, map[string]any{"code": "history-instance"})
		}
		params := []map[string]any{
			{"name": "_id", "type": "token"},
			{"name": "_lastUpdated", "type": "date"},
		}
		listed := searchParams[typ]
		if s.opts.CompleteCapabilityStatement {
			listed = merge(listed, addedParams[typ])
		}
		var includes []string
		for _, name := range sortedKeys(listed) {
			p := listed[name]
			kind := "token"
			if p.kind == refParam {
				kind = "reference"
				includes = append(includes, typ+":"+name)
			}
			params = append(params, map[string]any{"name": name, "type": kind})
		}
		res := map[string]any{
			"type":              typ,
			"interaction":       interactions,
			"versioning":        "versioned",
			"readHistory":       true,
			"updateCreate":      false,
			"conditionalCreate": canCreate,
			"searchParam":       params,
		}
		if len(includes) > 0 {
			res["searchInclude"] = includes
		}
		resources = append(resources, res)
	}
	s.writeReply(w, jsonReply(http.StatusOK, map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         formatInstant(s.now()),
		"kind":         "instance",
		"fhirVersion":  "4.0.1",
		"format":       []string{"application/fhir+json", "json"},
		"software":     map[string]any{"name": "Referral Desk fhirtest"},
		"implementation": map[string]any{
			"description": PlatformName,
			"url":         s.FHIRBase(),
		},
		"rest": []map[string]any{{
			"mode": "server",
			"security": map[string]any{
				"service": []map[string]any{{"coding": []map[string]any{{
					"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
					"code":   "SMART-on-FHIR",
				}}}},
				"extension": []map[string]any{{
					"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
					"extension": slices.DeleteFunc([]map[string]any{
						ext("authorize", s.Issuer()+"/authorize"),
						ext("token", s.Issuer()+"/token"),
						ext("register", s.Issuer()+"/register"),
						ext("revoke", s.Issuer()+"/revoke"),
					}, s.refusedURI),
				}},
			},
			"resource":    resources,
			"interaction": []map[string]any{{"code": "batch"}},
		}},
	}))
}
