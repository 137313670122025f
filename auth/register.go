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
func Register(ctx context.Context, hc *http.Client, cfg *Config, clientName string, redirectURIs []string) (string, error) {
	if cfg == nil || cfg.RegistrationEndpoint == "" {
		return "", fail(KindRefused, "This platform does not let Referral Desk register itself. Ask the platform for a client ID and enter it.", nil)
	}
	if _, err := CheckEndpoint(cfg.RegistrationEndpoint); err != nil {
		return "", fail(KindPlatform, "The platform's registration address is unsafe or incomplete. Ask the platform for a client ID instead.", err)
	}
	if len(redirectURIs) == 0 {
		return "", fail(KindLocal, "Referral Desk has no sign-in return address to register.", nil)
	}
	for _, u := range redirectURIs {
		if pu, err := CheckEndpoint(u); err != nil || !isLoopback(pu.Hostname()) {
			return "", fail(KindLocal, "Referral Desk only registers return addresses on this computer (127.0.0.1).", err)
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
		return "", fail(KindLocal, "Referral Desk could not prepare its registration.", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.RegistrationEndpoint, bytes.NewReader(body))
	if err != nil {
		return "", fail(KindPlatform, "The platform's registration address is not valid.", err)
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
		return "", fail(KindTemporary, "The platform could not register Referral Desk right now. Try again later.", &statusError{resp.Status})
	case jsonErr == nil && reply.Error != "":
		return "", fail(KindRefused, "The platform refused to register Referral Desk. Ask the platform for a client ID and enter it.",
			&oauthError{Status: resp.Status, Code: sanitize(reply.Error), Description: sanitize(reply.ErrorDescription)})
	case resp.Status != http.StatusCreated && resp.Status != http.StatusOK:
		return "", fail(KindRefused, "The platform refused to register Referral Desk. Ask the platform for a client ID and enter it.", &statusError{resp.Status})
	case jsonErr != nil || reply.ClientID == "" || hidden(reply.ClientID) || len(reply.ClientID) > 1024:
		return "", fail(KindPlatform, "The platform's answer to the registration could not be used. Ask the platform for a client ID and enter it.",
			errors.Join(errors.New("registration response without a usable client_id"), jsonErr))
	case reply.AuthMethod != "" && reply.AuthMethod != "none":
		return "", fail(KindRefused, "The platform registered Referral Desk as a different kind of app than it asked for. Ask the platform for a client ID and enter it.",
			fmt.Errorf("token_endpoint_auth_method %q", sanitize(reply.AuthMethod)))
	}
	return reply.ClientID, nil
}
