package auth

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// catchRotation returns a copy of hc (nil: a default client) whose token
// answers hand their refresh token to keep the moment they have arrived,
// before x/oauth2 parses them and before anything in them is checked.
//
// A platform that rotates refresh tokens spends the old one when it
// answers; until the new one is on disk, a crash loses the sign-in. Saved
// only after the answer was parsed and checked, 6 of 48 kills during a
// refresh lost it (issue 20); an answer refused after parsing (no access
// token, say) lost it every time.
func catchRotation(hc *http.Client, keep func(refreshToken string)) *http.Client {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = rotationCatcher{next: next, keep: keep}
	return &c
}

// rotationCatcher is catchRotation's transport.
type rotationCatcher struct {
	next http.RoundTripper
	keep func(refreshToken string)
}

func (c rotationCatcher) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 { // x/oauth2 takes any 2xx
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	rest := io.Reader(resp.Body) // the answer goes on as it came: past the cap, or to its error
	if err != nil {
		rest = failing{err}
	}
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), rest), resp.Body}
	if err == nil {
		if rt := refreshTokenIn(resp.Header.Get("Content-Type"), body); rt != "" {
			c.keep(rt)
		}
	}
	return resp, nil
}

// refreshTokenIn reads the refresh_token of a token answer the way
// x/oauth2 reads it: a form for those content types, else JSON.
func refreshTokenIn(contentType string, body []byte) string {
	switch mt, _, _ := mime.ParseMediaType(contentType); mt {
	case "application/x-www-form-urlencoded", "text/plain":
		v, _ := url.ParseQuery(string(body))
		return v.Get("refresh_token")
	}
	var answer struct {
		RefreshToken string `json:"refresh_token"`
	}
	json.Unmarshal(body, &answer)
	return answer.RefreshToken
}

type readCloser struct {
	io.Reader
	io.Closer
}

// failing is a reader that fails with err.
type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
