package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/wire"
)

// platformCalls are the requests of every kind this package makes, each
// against a platform at base whose endpoints are base + "/token" etc.
func platformCalls(base string) map[string]func(context.Context) error {
	cfg := &Config{TokenEndpoint: base + "/token", AuthorizationEndpoint: base + "/authorize",
		RegistrationEndpoint: base + "/register", RevocationEndpoint: base + "/revoke"}
	return map[string]func(context.Context) error{
		"discovery": func(ctx context.Context) error {
			_, err := Discover(ctx, nil, base+"/fhir")
			return err
		},
		"refresh": func(ctx context.Context) error {
			_, err := NewRefresher(cfg, "rd-client", nil, expiring, (&saved{}).save, now).AccessToken(ctx)
			return err
		},
		"registration": func(ctx context.Context) error {
			_, err := Register(ctx, nil, cfg, "", []string{RedirectURI(8765, "/callback")})
			return err
		},
		"revocation": func(ctx context.Context) error {
			return Revoke(ctx, nil, cfg, "rd-client", "rt-0", "refresh_token")
		},
	}
}

func TestPlatformRequestsNameReferralDesk(t *testing.T) {
	var mu sync.Mutex
	agents := map[string]string{} // path: User-Agent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.URL.Path] = r.Header.Get("User-Agent")
		mu.Unlock()
		switch r.URL.Path {
		case "/fhir/.well-known/smart-configuration":
			w.Write([]byte(smartConfig("http://"+r.Host, nil)))
		case "/token":
			writeJSON(w, 200, map[string]any{"access_token": "at-1", "refresh_token": "rt-1", "token_type": "Bearer", "expires_in": 3600})
		case "/register":
			writeJSON(w, 201, map[string]any{"client_id": "issued-1"})
		}
	}))
	t.Cleanup(srv.Close)
	for name, call := range platformCalls(srv.URL) {
		if err := call(context.Background()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, path := range []string{"/fhir/.well-known/smart-configuration", "/token", "/register", "/revoke"} {
		if got, ok := agents[path]; !ok || got != wire.UserAgent() {
			t.Errorf("%s: User-Agent %q (asked: %v); want %q", path, got, ok, wire.UserAgent())
		}
	}
}

func TestPlatformRequestsStayOnThePlatform(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request followed a redirect to another server: %s %s", r.Method, r.URL.Path)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	for name, call := range platformCalls(srv.URL) {
		t.Run(name, func(t *testing.T) {
			if err := call(context.Background()); err == nil {
				t.Errorf("a redirect to another server passed for a result")
			}
		})
	}
}

func TestPlatformAnswersAreCapped(t *testing.T) {
	body := `{"error":"` + strings.Repeat("a", maxBody) + `"}`
	for _, sized := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if sized {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		for name, call := range platformCalls(srv.URL) {
			t.Run(fmt.Sprintf("%s, size announced %v", name, sized), func(t *testing.T) {
				err := call(context.Background())
				if !sized && name == "refresh" {
					// x/oauth2 reads at most 1 MiB of a token answer itself, so the
					// cap never sees more: the answer, cut short, is still refused.
					if err == nil {
						t.Errorf("an answer over %d bytes passed", maxBody)
					}
					return
				}
				if !errors.Is(err, wire.ErrTooLarge) {
					t.Errorf("err = %v; want the answer over %d bytes refused", err, maxBody)
				}
			})
		}
	}
}
