package auth

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

var clock = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// signInWithTokenReply runs a sign-in whose token endpoint answers with reply.
func signInWithTokenReply(t *testing.T, reply func(w http.ResponseWriter, r *http.Request), hc *http.Client) (*Result, error, int) {
	t.Helper()
	as := newFakeAS(t)
	as.tokenHook = reply
	si := as.signIn(t)
	si.Now = func() time.Time { return clock }
	si.HTTP = hc
	run := startRun(t, si)
	params := as.authorize(t, run.authURL)
	status, _ := browse(t, callbackURL(run.authURL, params))
	res, err := run.wait()
	if n := as.tokenCalls.Load(); n != 1 { // x/oauth2's auth-style auto-detect would send the code again
		t.Errorf("%d token requests; the code must be sent once", n)
	}
	if err != nil {
		detail := err.Error()
		if strings.Contains(detail, params.Get("code")) || strings.Contains(detail, params.Get("state")) {
			t.Errorf("error reveals the code or state: %s", detail)
		}
	}
	return res, err, status
}

func jsonReply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

func TestTokenResponses(t *testing.T) {
	const ok = `"access_token":"at","token_type":"Bearer","refresh_token":"rt"`
	for _, c := range []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request)
		kind  Kind // KindOther: success
		check func(t *testing.T, res *Result)
	}{
		{name: "200 with error", reply: func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			jsonReply(200, `{"error":"invalid_grant","error_description":"code `+r.PostForm.Get("code")+` expired"}`)(w, r)
		}, kind: KindRefused},
		{name: "400 invalid_grant", reply: jsonReply(400, `{"error":"invalid_grant"}`), kind: KindRefused},
		{name: "503", reply: jsonReply(503, `{}`), kind: KindTemporary},
		{name: "429", reply: jsonReply(429, ``), kind: KindTemporary},
		{name: "200 server_error", reply: jsonReply(200, `{"error":"temporarily_unavailable"}`), kind: KindTemporary},
		{name: "HTML page", reply: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>login</html>")) }, kind: KindPlatform},
		{name: "redirect not followed", reply: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}, kind: KindPlatform},
		{name: "no access token", reply: jsonReply(200, `{"token_type":"Bearer"}`), kind: KindPlatform},
		{name: "access token with newline", reply: jsonReply(200, `{"access_token":"a\nb","token_type":"Bearer"}`), kind: KindPlatform},
		{name: "not a bearer token", reply: jsonReply(200, `{"access_token":"at","token_type":"DPoP"}`), kind: KindPlatform},
		{name: "bearer in lower case", reply: jsonReply(200, `{"access_token":"at","token_type":"bearer","expires_in":60}`),
			check: func(t *testing.T, res *Result) {
				if !res.Token.Expiry.Equal(clock.Add(time.Minute)) {
					t.Errorf("Expiry = %v", res.Token.Expiry)
				}
			}},
		{name: "missing expires_in", reply: jsonReply(200, `{`+ok+`}`), check: func(t *testing.T, res *Result) {
			if !res.Token.Expiry.IsZero() {
				t.Errorf("Expiry = %v, want unknown", res.Token.Expiry)
			}
		}},
		{name: "string expires_in", reply: jsonReply(200, `{`+ok+`,"expires_in":"3600"}`), check: func(t *testing.T, res *Result) {
			if !res.Token.Expiry.Equal(clock.Add(time.Hour)) {
				t.Errorf("Expiry = %v", res.Token.Expiry)
			}
		}},
		{name: "negative expires_in", reply: jsonReply(200, `{`+ok+`,"expires_in":-30}`), check: func(t *testing.T, res *Result) {
			if res.Token.Expiry.After(clock) || res.Token.Expiry.IsZero() {
				t.Errorf("Expiry = %v, want expired", res.Token.Expiry)
			}
		}},
		// x/oauth2 refuses the whole reply when expires_in is not a whole number (RFC 6749 §5.1).
		{name: "nonsense expires_in", reply: jsonReply(200, `{`+ok+`,"expires_in":"soon"}`), kind: KindPlatform},
		{name: "padded expires_in", reply: jsonReply(200, `{`+ok+`,"expires_in":" 3600 "}`), kind: KindPlatform},
		{name: "reduced scope", reply: jsonReply(200, `{`+ok+`,"scope":"openid fhirUser offline_access user/Task.rs user/Patient.rs"}`),
			check: func(t *testing.T, res *Result) {
				if len(res.GrantedScopes) != 5 || res.Token.Scope != strings.Join(res.GrantedScopes, " ") {
					t.Errorf("granted %q", res.GrantedScopes)
				}
				if !slices.ContainsFunc(res.Warnings, func(r Reason) bool { return strings.Contains(r.Sentence(), "cannot send status changes") }) {
					t.Errorf("warnings %q do not explain the missing Task update", res.Warnings)
				}
			}},
		{name: "no refresh token", reply: jsonReply(200, `{"access_token":"at","token_type":"Bearer","expires_in":3600}`),
			check: func(t *testing.T, res *Result) {
				if res.Token.RefreshToken != "" || !slices.Contains(res.Warnings, reasonNoOffline) {
					t.Errorf("refresh %q, warnings %q", res.Token.RefreshToken, res.Warnings)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err, status := signInWithTokenReply(t, c.reply, nil)
			if c.kind != KindOther {
				kindIs(t, err, c.kind, "")
				if status != 400 {
					t.Errorf("page status %d, want the failure page", status)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if status != 200 {
				t.Errorf("page status %d", status)
			}
			c.check(t, res)
		})
	}
}

func TestTokenEndpointTimeout(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		<-r.Context().Done()
	}
	_, err, _ := signInWithTokenReply(t, hang, &http.Client{Timeout: 50 * time.Millisecond})
	kindIs(t, err, KindTemporary, "did not answer in time")
	if !errors.Is(err, ErrTemporary) {
		t.Error("a timeout is not ErrTemporary")
	}
}

// expiry reads expires_in as x/oauth2 leaves it in Extra: float64 from JSON, int64 or string from a form.
func TestExpiry(t *testing.T) {
	for _, c := range []struct {
		raw  any
		want time.Time
	}{
		{nil, time.Time{}}, {"x", time.Time{}}, {true, time.Time{}}, {"", time.Time{}}, {"NaN", time.Time{}},
		{3600.0, clock.Add(time.Hour)}, {"60", clock.Add(time.Minute)}, {int64(60), clock.Add(time.Minute)},
		{1.5, clock.Add(1500 * time.Millisecond)}, {0.0, clock}, {-1.0, clock}, {"-5", clock}, {1e300, clock.Add(maxLifetime)},
	} {
		if got := expiry(c.raw, clock); !got.Equal(c.want) {
			t.Errorf("expiry(%#v) = %v, want %v", c.raw, got, c.want)
		}
	}
}
