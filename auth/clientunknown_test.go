package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// A refresh answered invalid_client means the platform no longer knows the
// client id (a reset platform, a dropped registration): a new sign-in is
// needed, and it must register anew, so the error says which it is. Other
// grant-ending answers are not mistaken for it.
func TestRefreshByAnUnknownClient(t *testing.T) {
	for _, c := range []struct {
		name, body string
		status     int
		unknown    bool
	}{
		{"invalid_client", `{"error":"invalid_client","error_description":"unknown client_id"}`, 401, true},
		{"invalid_client with 400", `{"error":"invalid_client"}`, 400, true},
		{"invalid_grant", `{"error":"invalid_grant"}`, 400, false},
		{"unauthorized_client", `{"error":"unauthorized_client"}`, 400, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) { jsonReply(c.status, c.body)(w, r) })
			r := NewRefresher(ts.cfg, "rd-client", nil, expiring, (&saved{}).save, now)
			_, err := r.AccessToken(context.Background())
			if !errors.Is(err, ErrSignInNeeded) {
				t.Fatalf("err = %v, want a new sign-in asked for", err)
			}
			if got := errors.Is(err, ErrClientUnknown); got != c.unknown {
				t.Fatalf("errors.Is(%v, ErrClientUnknown) = %v, want %v", err, got, c.unknown)
			}
			if s := sentence(err); c.unknown != strings.Contains(s, "no longer recognises Referral Desk") {
				t.Errorf("the case worker reads %q", s)
			}
		})
	}
}
