package wire

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// get fetches u with a client under p and reads the whole body.
func get(ctx context.Context, p Policy, hc *http.Client, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := p.Client(hc).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("followed a redirect to another server: %s", r.URL)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/away"):
			http.Redirect(w, r, other.URL+"/fhir/metadata", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/loop/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/loop/"))
			http.Redirect(w, r, "/loop/"+strconv.Itoa(n+1), http.StatusFound)
		case r.URL.Path == "/fhir/old":
			http.Redirect(w, r, "/fhir/new", http.StatusMovedPermanently)
		case r.URL.Path == "/fhir/out":
			http.Redirect(w, r, "/admin/new", http.StatusMovedPermanently)
		default:
			io.WriteString(w, "here "+r.URL.Path)
		}
	}))
	t.Cleanup(srv.Close)
	pin, _ := url.Parse(srv.URL + "/fhir")
	for _, c := range []struct {
		name   string
		policy Policy
		path   string
		want   string // body, or "status 301" when the redirect is handed back
		err    error
	}{
		{"same origin is followed", Policy{}, "/fhir/old", "here /fhir/new", nil},
		{"another host is refused", Policy{}, "/away", "", ErrOffOrigin},
		{"another host is refused under a pin", Policy{Pin: pin}, "/away", "", ErrOffOrigin},
		{"under the pin is followed", Policy{Pin: pin}, "/fhir/old", "here /fhir/new", nil},
		{"off the pinned path is refused", Policy{Pin: pin}, "/fhir/out", "", ErrOffOrigin},
		{"off the path without a pin is followed", Policy{}, "/fhir/out", "here /admin/new", nil},
		{"none are followed with None", Policy{Redirects: None}, "/fhir/old", "status 301", nil},
		{"a redirect to another host is handed back with None", Policy{Redirects: None}, "/away", "status 302", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body, err := get(context.Background(), c.policy, nil, srv.URL+c.path)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v; want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := string(body)
			if resp.StatusCode != http.StatusOK {
				got = "status " + strconv.Itoa(resp.StatusCode)
			}
			if got != c.want {
				t.Errorf("got %q; want %q", got, c.want)
			}
		})
	}
	t.Run("at most MaxRedirects", func(t *testing.T) {
		_, _, err := get(context.Background(), Policy{}, nil, srv.URL+"/loop/0")
		if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
			t.Errorf("err = %v; want the redirects stopped after %d", err, MaxRedirects)
		}
	})
}

func TestBodyCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("announce") != "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Write([]byte(strings.Repeat("a", n)))
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		ctx     context.Context
		maxBody int64
		query   string
		refused bool
	}{
		{"at the cap", ctx, 1000, "n=1000", false},
		{"over the cap", ctx, 1000, "n=1001", true},
		{"over the cap, announced", ctx, 1000, "n=5000&announce=1", true},
		{"over the default cap", ctx, 0, "n=" + strconv.Itoa(DefaultMaxBody+1), true},
		{"over a request's own cap", WithMaxBody(ctx, 10), 1000, "n=11", true},
		{"within a request's raised cap", WithMaxBody(ctx, 2000), 1000, "n=2000", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, body, err := get(c.ctx, Policy{MaxBody: c.maxBody}, nil, srv.URL+"/?"+c.query)
			if c.refused != errors.Is(err, ErrTooLarge) {
				t.Errorf("err = %v (%d bytes read); refused should be %v", err, len(body), c.refused)
			}
			if !c.refused && err != nil {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// recorder remembers the User-Agent of every request it carries.
type recorder struct {
	agents []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.agents = append(r.agents, req.Header.Get("User-Agent"))
	return http.DefaultTransport.RoundTrip(req)
}

func TestUserAgentOnEveryRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	rec := &recorder{}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/old", nil)
	req.Header.Set("User-Agent", "Go-http-client/1.1")
	resp, err := Policy{}.Client(&http.Client{Transport: rec}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.agents) != 2 || rec.agents[0] != UserAgent() || rec.agents[1] != UserAgent() {
		t.Errorf("User-Agents sent: %q; want %q on the request and its redirect", rec.agents, UserAgent())
	}
	if req.Header.Get("User-Agent") != "Go-http-client/1.1" {
		t.Errorf("the caller's request was changed: User-Agent %q", req.Header.Get("User-Agent"))
	}
	if !strings.HasPrefix(UserAgent(), "ReferralDesk/") || len(UserAgent()) == len("ReferralDesk/") {
		t.Errorf("UserAgent() = %q; want ReferralDesk/<version>", UserAgent())
	}
}

func TestTimeout(t *testing.T) {
	for _, c := range []struct {
		name   string
		hc     *http.Client
		policy Policy
		want   time.Duration
	}{
		{"no client", nil, Policy{}, DefaultTimeout},
		{"the policy's", &http.Client{}, Policy{Timeout: time.Minute}, time.Minute},
		{"the caller's own", &http.Client{Timeout: time.Second}, Policy{Timeout: time.Minute}, time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.policy.Client(c.hc).Timeout; got != c.want {
				t.Errorf("timeout = %v; want %v", got, c.want)
			}
		})
	}
}

func TestClientLeavesTheCallersClientAlone(t *testing.T) {
	rt := &recorder{}
	hc := &http.Client{Transport: rt}
	Policy{Redirects: None}.Client(hc)
	if hc.Transport != rt || hc.CheckRedirect != nil || hc.Timeout != 0 {
		t.Errorf("the caller's client was changed: %+v", hc)
	}
}
