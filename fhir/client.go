package fhir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/referraldesk/referraldesk/fhir/wire"
)

// TokenSource hands out the access token for one source's FHIR server.
// auth.Refresher implements it.
type TokenSource interface {
	// AccessToken returns a token that is not about to expire.
	AccessToken(ctx context.Context) (string, error)
	// Refresh is called after a 401 with the token that was refused; it returns
	// a new token (or the current one if another caller already refreshed).
	Refresh(ctx context.Context, stale string) (string, error)
}

// Client talks to one FHIR server. The access token is sent only to that
// server's own origin and base path, never to a link or reference elsewhere.
type Client struct {
	base     *url.URL
	hc       *http.Client
	tokens   TokenSource
	requests atomic.Int64

	// MaxPages bounds one search (a server that pages forever is refused).
	MaxPages int
	// MaxBody bounds one response body, in bytes.
	MaxBody int64
	// BatchSize is how many reads go into one batch Bundle.
	BatchSize int
	// BatchesInFlight is how many batch Bundles Batch sends at once;
	// DefaultBatchesInFlight unless changed.
	BatchesInFlight int
}

const mediaType = "application/fhir+json"

// NewClient returns a client for the FHIR server at base. hc may be nil; the
// client follows wire's policy over it, with redirects pinned to base and a
// minute per request when hc has no timeout.
func NewClient(base string, hc *http.Client, tokens TokenSource) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("not a FHIR base URL: %q", base)
	}
	c := &Client{base: u, tokens: tokens, MaxPages: 1000, MaxBody: 64 << 20, BatchSize: 100,
		BatchesInFlight: DefaultBatchesInFlight}
	// MaxBody is a setting: each request is capped at the value it has then.
	c.hc = wire.Policy{Timeout: 60 * time.Second, Pin: u}.Client(hc)
	return c, nil
}

// Base is the server's FHIR base URL.
func (c *Client) Base() string { return c.base.String() }

// Requests counts the HTTP requests this client has made.
func (c *Client) Requests() int64 { return c.requests.Load() }

// onOrigin reports whether u is on the server's origin and under its base path.
func (c *Client) onOrigin(u *url.URL) bool { return wire.Within(c.base, u) }

func (c *Client) url(path string, q url.Values) string {
	s := c.base.String() + "/" + path
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

// do performs one request, refreshing the token and retrying once on a 401.
func (c *Client) do(ctx context.Context, op, method, target string, body []byte, header http.Header) (*http.Response, []byte, error) {
	return c.send(ctx, op, method, target, body, header, new(bytes.Buffer), c.MaxBody)
}

// DefaultBatchesInFlight is a new Client's BatchesInFlight. A sync waited on
// its batches for two thirds of its time when it sent them one by one;
// three let a platform use more than one core.
const DefaultBatchesInFlight = 3

// send performs one request, reading the answer, at most maxBody bytes, into buf.
func (c *Client) send(ctx context.Context, op, method, target string, body []byte, header http.Header, buf *bytes.Buffer,
	maxBody int64) (*http.Response, []byte, error) {
	u, err := url.Parse(target)
	if err != nil || !c.onOrigin(u) {
		return nil, nil, &Error{Op: op, Kind: KindRefused, Err: fmt.Errorf("link outside %s refused", c.base.Host)}
	}
	token := ""
	capped := wire.WithMaxBody(ctx, maxBody)
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(capped, method, target, bytes.NewReader(body))
		if err != nil {
			return nil, nil, &Error{Op: op, Kind: KindOther, Err: err}
		}
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("Accept", mediaType)
		if body != nil {
			req.Header.Set("Content-Type", mediaType)
		}
		if c.tokens != nil {
			if attempt == 0 {
				if token, err = c.tokens.AccessToken(ctx); err != nil {
					return nil, nil, &Error{Op: op, Kind: KindUnauthorized, Err: err}
				}
			}
			req.Header.Set("Authorization", "Bearer "+token)
		}
		c.requests.Add(1)
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, &Error{Op: op, Kind: KindOffline, Err: ctx.Err()}
			}
			if errors.Is(err, wire.ErrOffOrigin) {
				return nil, nil, &Error{Op: op, Kind: KindRefused, Err: err}
			}
			if errors.Is(err, wire.ErrTooLarge) {
				return nil, nil, &Error{Op: op, Kind: KindBadResponse, Err: err}
			}
			return nil, nil, &Error{Op: op, Kind: KindOffline, Err: err}
		}
		data, err := wire.ReadBody(resp.Body, buf, resp.ContentLength, maxBody)
		resp.Body.Close()
		if err != nil {
			return nil, nil, &Error{Op: op, Kind: bodyKind(err), Status: resp.StatusCode, Err: err}
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 && c.tokens != nil {
			if token, err = c.tokens.Refresh(ctx, token); err != nil {
				return nil, nil, &Error{Op: op, Kind: KindUnauthorized, Status: resp.StatusCode, Err: err}
			}
			continue
		}
		if resp.StatusCode >= 400 {
			return resp, data, statusError(op, resp, data)
		}
		return resp, data, nil
	}
}

func statusError(op string, resp *http.Response, data []byte) error {
	e := &Error{Op: op, Kind: kindForStatus(resp.StatusCode), Status: resp.StatusCode}
	var oo OperationOutcome
	if unmarshal(data, &oo) == nil && oo.ResourceType == "OperationOutcome" {
		e.Outcome = oo.Text()
	}
	if e.Kind == KindRateLimited {
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), answeredAt(resp))
	}
	return e
}

// retryAfter reads Retry-After in either form: delta-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// resourceFrom reads the resource in a response body.
func resourceFrom(op string, data []byte) (Resource, error) {
	r, err := ParseResource(data)
	if err != nil {
		return Resource{}, &Error{Op: op, Kind: KindBadResponse, Err: err}
	}
	return r, nil
}

// Read fetches one resource.
func (c *Client) Read(ctx context.Context, typ, id string) (Resource, error) {
	op := "read " + typ + "/" + id
	_, data, err := c.do(ctx, op, http.MethodGet, c.url(typ+"/"+url.PathEscape(id), nil), nil, nil)
	if err != nil {
		return Resource{}, err
	}
	r, err := resourceFrom(op, data)
	if err == nil && (r.Type != typ || r.ID != id) {
		err = &Error{Op: op, Kind: KindBadResponse, Err: fmt.Errorf("server answered with %s", r.Ref())}
	}
	return r, err
}

// VRead fetches one version of a resource (its history, where the platform
// keeps it).
func (c *Client) VRead(ctx context.Context, typ, id, version string) (Resource, error) {
	op := "read " + typ + "/" + id + " version " + version
	path := typ + "/" + url.PathEscape(id) + "/_history/" + url.PathEscape(version)
	_, data, err := c.do(ctx, op, http.MethodGet, c.url(path, nil), nil, nil)
	if err != nil {
		return Resource{}, err
	}
	r, err := resourceFrom(op, data)
	if err == nil && (r.Type != typ || r.ID != id || r.Meta.VersionID != version) {
		err = &Error{Op: op, Kind: KindBadResponse, Err: fmt.Errorf("server answered with %s version %s", r.Ref(), r.Meta.VersionID)}
	}
	return r, err
}

// History reads the versions of a resource the server keeps, newest first
// (GET [type]/[id]/_history).
func (c *Client) History(ctx context.Context, typ, id string) ([]Resource, error) {
	op := "read the history of " + typ + "/" + id
	_, b, err := c.doBundle(ctx, op, http.MethodGet, c.url(typ+"/"+url.PathEscape(id)+"/_history", nil), nil)
	if err != nil {
		return nil, err
	}
	var out []Resource
	for _, e := range b.Entry {
		if r := e.Resource; r.given && r.err == nil && r.Type == typ && r.ID == id {
			out = append(out, r.Resource)
		}
	}
	return out, nil
}

// ErrNoBaseVersion matches (errors.Is) an update Update refused to send:
// it named no version it was based on, so it could overwrite a change made
// meanwhile on the server.
var ErrNoBaseVersion = errors.New("an update without the version it is based on")

// Update replaces a resource with body, only if the server's copy is still
// at version baseVersion. A 412 comes back as KindConflict. Without a
// baseVersion nothing is sent (ErrNoBaseVersion): a PUT without If-Match
// overwrites whatever the server has.
func (c *Client) Update(ctx context.Context, typ, id string, body []byte, baseVersion string) (Resource, error) {
	op := "update " + typ + "/" + id
	if baseVersion == "" {
		return Resource{}, &Error{Op: op, Kind: KindRefused, Err: ErrNoBaseVersion}
	}
	h := http.Header{}
	// Always quoted: real servers silently ignore an unquoted If-Match.
	h.Set("If-Match", `W/"`+baseVersion+`"`)
	h.Set("Prefer", "return=representation")
	_, data, err := c.do(ctx, op, http.MethodPut, c.url(typ+"/"+url.PathEscape(id), nil), body, h)
	if err != nil {
		return Resource{}, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return c.Read(ctx, typ, id)
	}
	return resourceFrom(op, data)
}

// Create posts a new resource and returns it as the server stored it.
func (c *Client) Create(ctx context.Context, typ string, body []byte) (Resource, error) {
	return c.create(ctx, typ, body, nil)
}

// create posts a new resource with header (If-None-Exist) and returns it as
// the server stored it (or found it).
func (c *Client) create(ctx context.Context, typ string, body []byte, header http.Header) (Resource, error) {
	op := "create " + typ
	h := http.Header{"Prefer": {"return=representation"}}
	for k, v := range header {
		h[k] = v
	}
	resp, data, err := c.do(ctx, op, http.MethodPost, c.url(typ, nil), body, h)
	if err != nil {
		return Resource{}, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if t, id, ok := SplitReference(resp.Header.Get("Location")); ok && t == typ {
			return c.Read(ctx, typ, id)
		}
		return Resource{}, &Error{Op: op, Kind: KindBadResponse, Err: errors.New("no resource and no Location in the answer")}
	}
	return resourceFrom(op, data)
}
