package auth

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir/wire"
)

// maxBody caps every response this package reads (discovery, tokens, registration, JWKS): a hostile or
// broken platform must not make Referral Desk read 10 MB into memory.
const maxBody = 1 << 20

// defaultTimeout bounds every request when the caller's client has no timeout of its own.
const defaultTimeout = 30 * time.Second

// The policy's refusals, by the names this package's sentences know them by.
var (
	errTooLarge  = wire.ErrTooLarge
	errCrossHost = wire.ErrOffOrigin
)

// platformClient returns a copy of hc (nil: a default client) under wire's policy, the one fhir follows
// too: at most maxBody per response, a timeout, a User-Agent. With follow, it follows up to 5 redirects
// within the same origin (spec: never to another host); without, it follows none, which is what requests
// that carry codes or tokens need.
func platformClient(hc *http.Client, follow bool) *http.Client {
	p := wire.Policy{MaxBody: maxBody, Timeout: defaultTimeout, Redirects: wire.SameOrigin}
	if !follow {
		p.Redirects = wire.None
	}
	return p.Client(hc)
}

// response is a fully read HTTP response.
type response struct {
	Status      int
	ContentType string
	Body        []byte
}

// do sends req with c and reads the whole (capped) body.
func do(c *http.Client, req *http.Request) (*response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

// postForm POSTs form (parameters in the body, as a public client must) to endpoint without following redirects.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return do(platformClient(hc, false), req)
}

// looksLikeHTML tells a web page (often a login or error page) from JSON.
func (r *response) looksLikeHTML() bool {
	return strings.HasPrefix(strings.ToLower(r.ContentType), "text/html") ||
		bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("<"))
}

// statusError is an HTTP status this package did not expect, without a usable OAuth error body.
type statusError struct{ Status int }

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.Status) }

// retryable reports statuses worth retrying later: 5xx and 429.
func retryable(status int) bool { return status >= 500 || status == http.StatusTooManyRequests }

// sanitize makes server-provided text safe for logs: printable ASCII only, at most 200 characters, with
// any secret that the server might echo removed.
func sanitize(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
