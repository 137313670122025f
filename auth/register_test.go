package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestRegister(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		json.NewDecoder(r.Body).Decode(&got)
		writeJSON(w, 201, map[string]any{"client_id": "issued-1", "token_endpoint_auth_method": "none"})
	}))
	defer srv.Close()
	cfg := &Config{RegistrationEndpoint: srv.URL + "/register", Capabilities: []string{"permission-v2"}}
	uris := []string{RedirectURI(8765, "/callback")}
	id, err := Register(context.Background(), nil, cfg, "Referral Desk (Eastside Pantry)", uris)
	if err != nil || id != "issued-1" {
		t.Fatalf("Register = %q, %v", id, err)
	}
	strs := func(k string) []string {
		var s []string
		for _, v := range got[k].([]any) {
			s = append(s, v.(string))
		}
		return s
	}
	if got["token_endpoint_auth_method"] != "none" || got["application_type"] != "native" ||
		got["client_name"] != "Referral Desk (Eastside Pantry)" ||
		!slices.Equal(strs("grant_types"), []string{"authorization_code", "refresh_token"}) ||
		!slices.Equal(strs("response_types"), []string{"code"}) || !slices.Equal(strs("redirect_uris"), uris) {
		t.Errorf("registration request = %v", got)
	}
}

func TestRegisterFailures(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		reply  map[string]any
		kind   Kind
	}{
		{"refused redirect", 400, map[string]any{"error": "invalid_redirect_uri", "error_description": "exact match required"}, KindRefused},
		{"no client_id", 201, map[string]any{}, KindPlatform},
		{"confidential client", 201, map[string]any{"client_id": "x", "client_secret": "s", "token_endpoint_auth_method": "client_secret_basic"}, KindRefused},
		{"forbidden", 403, nil, KindRefused},
		{"unavailable", 503, nil, KindTemporary},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, c.status, c.reply) }))
			defer srv.Close()
			_, err := Register(context.Background(), nil, &Config{RegistrationEndpoint: srv.URL}, "", []string{RedirectURI(1, "")})
			kindIs(t, err, c.kind, "")
		})
	}
	_, err := Register(context.Background(), nil, &Config{}, "", []string{RedirectURI(1, "")})
	kindIs(t, err, KindRefused, "Ask the platform for a client ID")
	_, err = Register(context.Background(), nil, &Config{RegistrationEndpoint: "https://auth.example.org/register"}, "", []string{"https://evil.example/cb"})
	kindIs(t, err, KindLocal, "127.0.0.1")
}
