package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody caps every response this package reads (discovery, tokens, registration, JWKS): a hostile or
// broken platform must not make Referral Desk read 10 MB into memory.
const maxBody = 1 << 20

// defaultTimeout bounds every request when the caller's client has no timeout of its own.
const defaultTimeout = 30 * time.Second

var (
	errTooLarge  = errors.New("response body over 1 MiB")
	errCrossHost = errors.New("redirect to another host refused")
)

// platformClient returns a copy of hc (nil: a default client) that reads at most maxBody per response and
// has a timeout. With follow, it follows up to 5 redirects within the same origin (spec: never to another
// host); without, it follows none, which is what requests that carry codes or tokens need.
func platformClient(hc *http.Client, follow bool) *http.Client {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = limitTransport{rt}
	if follow {
		c.CheckRedirect = sameOrigin
	} else {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return &c
}

func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("%w (%s to %s)", errCrossHost, first.Host, req.URL.Host)
	}
	return nil
}

type limitTransport struct{ next http.RoundTripper }

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > maxBody {
		resp.Body.Close()
		return nil, errTooLarge
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxBody}
	return resp, nil
}

// limitedBody fails with errTooLarge once more than maxBody bytes arrive.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

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
