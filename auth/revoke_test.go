package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestRevoke(t *testing.T) {
	var got url.Values
	status := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = r.PostForm
		writeJSON(w, status, map[string]string{"error": map[int]string{400: "unsupported_token_type"}[status]})
	}))
	defer srv.Close()
	cfg := &Config{RevocationEndpoint: srv.URL + "/revoke"}

	if err := Revoke(context.Background(), nil, cfg, "rd-client", "rt-secret", "refresh_token"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if got.Get("token") != "rt-secret" || got.Get("token_type_hint") != "refresh_token" || got.Get("client_id") != "rd-client" {
		t.Errorf("revocation request = %v", got)
	}
	status = 503
	kindIs(t, Revoke(context.Background(), nil, cfg, "rd-client", "rt-secret", ""), KindTemporary, "")
	status = 400
	err := Revoke(context.Background(), nil, cfg, "rd-client", "rt-secret", "")
	kindIs(t, err, KindRefused, "")

	got = nil
	if err := Revoke(context.Background(), nil, &Config{}, "rd-client", "rt-secret", ""); err != nil || got != nil {
		t.Errorf("Revoke without an endpoint: %v, request %v", err, got)
	}
}
