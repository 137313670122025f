package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Revoke revokes token at the platform (RFC 7009) when it advertises a revocation endpoint; otherwise it does
// nothing. hint is "refresh_token", "access_token" or "". Used when a source is removed.
func Revoke(ctx context.Context, hc *http.Client, cfg *Config, clientID, token, hint string) (err error) {
	defer during("revoke", &err)
	if cfg == nil || cfg.RevocationEndpoint == "" || token == "" {
		return nil
	}
	if _, err := CheckEndpoint(cfg.RevocationEndpoint); err != nil {
		return fail(KindPlatform, reasonRevocationUnsafe, err)
	}
	form := url.Values{"token": {token}, "client_id": {clientID}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	resp, err := postForm(ctx, hc, cfg.RevocationEndpoint, form)
	if err != nil {
		return netFailure(ctx, err)
	}
	var reply struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	switch {
	case resp.Status == http.StatusOK: // also for tokens the server no longer knows (RFC 7009 §2.2)
		return nil
	case retryable(resp.Status):
		return fail(KindTemporary, reasonRevocationBusy, &statusError{resp.Status})
	case json.Unmarshal(resp.Body, &reply) == nil && reply.Error != "":
		return fail(KindRefused, reasonRevocationRefused, &oauthError{Status: resp.Status, Code: sanitize(reply.Error, token), Description: sanitize(reply.ErrorDescription, token)})
	}
	return fail(KindRefused, reasonRevocationRefused, &statusError{resp.Status})
}
