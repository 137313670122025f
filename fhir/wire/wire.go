// Package wire is how Referral Desk speaks HTTP to a referral platform, for
// package fhir (the FHIR API) and package auth (SMART sign-in) alike: it
// follows redirects only within the platform, caps every response body,
// bounds every request in time, and names itself on every request.
//
// A platform is untrusted input (smart-client.md, "hostile discovery": a
// 10 MB body, a cross-host redirect): one policy means a hole closed here is
// closed for every request the app makes.
package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
)

var (
	// ErrOffOrigin matches (errors.Is) a redirect that was not followed
	// because it led off the platform: a token or code must never follow it.
	ErrOffOrigin = errors.New("redirect to another server refused")
	// ErrTooLarge matches (errors.Is) a response refused for its size.
	ErrTooLarge = errors.New("response body over the size limit")
)

// Redirects says which redirects a client follows.
type Redirects int

const (
	// SameOrigin follows up to MaxRedirects redirects that stay on the
	// platform (Policy.Pin), never to another scheme or host (smart-client.md:
	// "Do not follow redirects to another host").
	SameOrigin Redirects = iota
	// None follows no redirect: the caller gets the 3xx answer. Requests that
	// carry a code or a token need this, or the client would send it again
	// to wherever the answer points.
	None
)

// MaxRedirects is how many redirects in a row SameOrigin follows.
const MaxRedirects = 5

// Defaults for a Policy's zero fields.
const (
	DefaultMaxBody = 1 << 20
	DefaultTimeout = 30 * time.Second
)

// Policy is the one HTTP policy for talking to a platform.
type Policy struct {
	// MaxBody caps each response body, in bytes (0: DefaultMaxBody);
	// WithMaxBody overrides it for one request.
	MaxBody int64
	// Timeout bounds each request when the caller's client has no timeout
	// of its own (0: DefaultTimeout).
	Timeout time.Duration
	// Redirects says which redirects are followed.
	Redirects Redirects
	// Pin, when set, is where redirects must stay: its origin, under its
	// path. When nil they must stay on the origin of the request that was
	// redirected.
	Pin *url.URL
}

// Client returns a copy of hc (nil: a new client) that follows the policy.
// hc's transport still carries the requests, so its connections are shared.
func (p Policy) Client(hc *http.Client) *http.Client {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	if c.Timeout == 0 {
		c.Timeout = p.Timeout
		if c.Timeout == 0 {
			c.Timeout = DefaultTimeout
		}
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	limit := p.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	c.Transport = transport{next: next, maxBody: limit}
	c.CheckRedirect = p.checkRedirect
	return &c
}

func (p Policy) checkRedirect(req *http.Request, via []*http.Request) error {
	if p.Redirects == None {
		return http.ErrUseLastResponse
	}
	first := via[0].URL
	pin := p.Pin
	if pin == nil {
		pin = &url.URL{Scheme: first.Scheme, Host: first.Host}
	}
	if !Within(pin, req.URL) {
		return fmt.Errorf("%w (%s to %s)", ErrOffOrigin, first.Host, req.URL.Host)
	}
	if len(via) >= MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", MaxRedirects)
	}
	return nil
}

// Within reports whether u is on base's origin (scheme and host) and at or
// under its path: where a platform's token may go.
func Within(base, u *url.URL) bool {
	path := strings.TrimRight(base.Path, "/")
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host) &&
		(u.Path == path || strings.HasPrefix(u.Path, path+"/"))
}

type maxBodyKey struct{}

// WithMaxBody returns a ctx whose requests may read n bytes of body, in
// place of the policy's MaxBody: for a client whose cap is a setting
// (fhir.Client.MaxBody), or a request that expects a bigger or smaller answer.
func WithMaxBody(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, maxBodyKey{}, n)
}

// UserAgent is what Referral Desk calls itself on every request,
// "ReferralDesk/<version>": a platform's operators can tell its requests
// from others' when something goes wrong.
func UserAgent() string { return userAgent }

var userAgent = "ReferralDesk/" + version()

// version is the module version the binary was built from, or "dev".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "dev"
	}
	return bi.Main.Version
}

type transport struct {
	next    http.RoundTripper
	maxBody int64
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") != userAgent {
		req = req.Clone(req.Context()) // a RoundTripper must not change its caller's request
		req.Header.Set("User-Agent", userAgent)
	}
	limit := t.maxBody
	if n, ok := req.Context().Value(maxBodyKey{}).(int64); ok {
		limit = n
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, tooLarge(limit)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: limit, err: tooLarge(limit)}
	return resp, nil
}

func tooLarge(limit int64) error {
	if limit >= 1<<20 && limit%(1<<20) == 0 {
		return fmt.Errorf("%w (%d MiB)", ErrTooLarge, limit>>20)
	}
	return fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
}

// limitedBody fails with err once more than its limit has arrived: a body
// cut short silently would read as a valid, smaller answer.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, b.err
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
