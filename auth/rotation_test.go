package auth

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// spentWith is what is kept of a rotated refresh token the moment it
// arrives: the token before, with the new refresh token and no access token.
func spentWith(before Token, refresh string) Token {
	before.AccessToken, before.RefreshToken, before.Expiry = "", refresh, time.Unix(1, 0)
	return before
}

// The rotated refresh token is saved first, before the answer is parsed or
// checked: the first save carries no access token although the answer had
// one, and an answer refused afterwards leaves the new refresh token saved.
func TestARotatedRefreshTokenIsSavedBeforeTheAnswerIsRead(t *testing.T) {
	for _, c := range []struct {
		name, contentType, body string
		refused                 bool
	}{
		{"a good answer", "application/json", `{"access_token":"at-1","refresh_token":"rt-1","token_type":"Bearer","expires_in":3600}`, false},
		{"a form", "application/x-www-form-urlencoded", `access_token=at-1&refresh_token=rt-1&token_type=bearer&expires_in=3600`, false},
		{"no access token", "application/json", `{"refresh_token":"rt-1","token_type":"Bearer"}`, true},
		{"not a bearer token", "application/json", `{"access_token":"at-1","refresh_token":"rt-1","token_type":"DPoP"}`, true},
		{"an access token unfit for a header", "application/json", `{"access_token":"at 1","refresh_token":"rt-1"}`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var sent []string
			ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				sent = append(sent, r.PostForm.Get("refresh_token"))
				if n > 1 {
					writeJSON(w, 200, map[string]any{"access_token": "at-2", "refresh_token": "rt-2", "token_type": "Bearer"})
					return
				}
				w.Header().Set("Content-Type", c.contentType)
				w.Write([]byte(c.body))
			})
			s := &saved{}
			r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
			_, err := r.AccessToken(context.Background())
			if c.refused != (err != nil) {
				t.Fatalf("the refresh gave %v; refused should be %v", err, c.refused)
			}
			if len(s.toks) == 0 || s.toks[0] != spentWith(expiring, "rt-1") {
				t.Fatalf("saved %+v; want first the rotated refresh token alone, before the access token was read", s.toks)
			}
			if c.refused {
				if _, err := r.AccessToken(context.Background()); err != nil || len(sent) != 2 || sent[1] != "rt-1" {
					t.Errorf("after a refused answer the next refresh gave %v and sent %v; want the rotated rt-1 sent", err, sent)
				}
			}
		})
	}
}

// A refresh token that did not rotate is not saved twice.
func TestARefreshTokenNotRotatedIsSavedOnce(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		writeJSON(w, 200, map[string]any{"access_token": "at-1", "refresh_token": "rt-0", "token_type": "Bearer"})
	})
	s := &saved{}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	if _, err := r.AccessToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(s.toks) != 1 || s.toks[0].AccessToken != "at-1" {
		t.Errorf("saved %+v; want the refreshed token once", s.toks)
	}
}

// failOnce fails its first save.
type failOnce struct {
	saved
	failed atomic.Bool
}

func (f *failOnce) save(ctx context.Context, t Token) error {
	if f.failed.CompareAndSwap(false, true) {
		return errors.New("disk full")
	}
	return f.saved.save(ctx, t)
}

// When the rotated refresh token cannot be saved at once, it stays pending:
// the whole token saved a moment later takes its place, and an answer
// refused meanwhile leaves it to be saved and sent by the next refresh.
func TestARotatedRefreshTokenNotSavedAtOnceStaysPending(t *testing.T) {
	var sent []string
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		sent = append(sent, r.PostForm.Get("refresh_token"))
		if n == 1 {
			writeJSON(w, 200, map[string]any{"refresh_token": "rt-1"}) // no access token: refused
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": "at-2", "refresh_token": "rt-2", "token_type": "Bearer"})
	})
	s := &failOnce{}
	r := NewRefresher(ts.cfg, "rd-client", nil, expiring, s.save, now)
	if _, err := r.AccessToken(context.Background()); err == nil {
		t.Fatal("an answer without an access token was taken")
	}
	if got, err := r.AccessToken(context.Background()); err != nil || got != "at-2" {
		t.Fatalf("the next refresh gave %q, %v", got, err)
	}
	if len(sent) != 2 || sent[1] != "rt-1" || len(s.toks) == 0 || s.toks[0] != spentWith(expiring, "rt-1") {
		t.Errorf("sent %v, saved %+v; want rt-1 saved first, then sent", sent, s.toks)
	}
}
