package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Register performs RFC 7591 dynamic registration of Referral Desk as a public native client
// (token_endpoint_auth_method none, authorization_code + refresh_token, the given loopback redirect URIs)
// and returns the client_id the platform issued.
func Register(ctx context.Context, hc *http.Client, cfg *Config, clientName string, redirectURIs []string) (_ string, err error) {
	defer during("register", &err)
	if cfg == nil || cfg.RegistrationEndpoint == "" {
		return "", fail(KindRefused, reasonNoRegistration, nil)
	}
	if _, err := CheckEndpoint(cfg.RegistrationEndpoint); err != nil {
		return "", fail(KindPlatform, reasonRegistrationUnsafe, err)
	}
	if len(redirectURIs) == 0 {
		return "", fail(KindLocal, reasonNoRedirect, nil)
	}
	for _, u := range redirectURIs {
		if pu, err := CheckEndpoint(u); err != nil || !isLoopback(pu.Hostname()) {
			return "", fail(KindLocal, reasonRedirectNotLoopback, err)
		}
	}
	if clientName == "" {
		clientName = "Referral Desk"
	}
	body, err := json.Marshal(map[string]any{
		"client_name":                clientName,
		"redirect_uris":              redirectURIs,
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"application_type":           "native",
		"scope":                      strings.Join(Scopes(cfg), " "),
	})
	if err != nil {
		return "", fail(KindLocal, reasonRegistrationPrepare, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.RegistrationEndpoint, bytes.NewReader(body))
	if err != nil {
		return "", fail(KindPlatform, reasonRegistrationInvalid, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := do(platformClient(hc, false), req)
	if err != nil {
		return "", netFailure(ctx, err)
	}
	var reply struct {
		ClientID         string `json:"client_id"`
		AuthMethod       string `json:"token_endpoint_auth_method"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	jsonErr := json.Unmarshal(resp.Body, &reply)
	switch {
	case retryable(resp.Status):
		return "", fail(KindTemporary, reasonRegistrationBusy, &statusError{resp.Status})
	case jsonErr == nil && reply.Error != "":
		return "", fail(KindRefused, reasonRegistrationRefused,
			&oauthError{Status: resp.Status, Code: sanitize(reply.Error), Description: sanitize(reply.ErrorDescription)})
	case resp.Status != http.StatusCreated && resp.Status != http.StatusOK:
		return "", fail(KindRefused, reasonRegistrationRefused, &statusError{resp.Status})
	case jsonErr != nil || reply.ClientID == "" || hidden(reply.ClientID) || len(reply.ClientID) > 1024:
		return "", fail(KindPlatform, reasonRegistrationUnusable,
			errors.Join(errors.New("registration response without a usable client_id"), jsonErr))
	case reply.AuthMethod != "" && reply.AuthMethod != "none":
		return "", fail(KindRefused, reasonRegistrationSecret,
			fmt.Errorf("token_endpoint_auth_method %q", sanitize(reply.AuthMethod)))
	}
	return reply.ClientID, nil
}
