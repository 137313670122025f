package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/referraldesk/referraldesk/fhir/wire"
)

// pages serves a searchset whose next links are given per page number.
func pagesServer(t *testing.T, next func(srvURL string, page int) string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 0
		fmt.Sscanf(r.URL.Query().Get("page"), "%d", &page)
		b := Bundle{ResourceType: "Bundle", Type: "searchset", Meta: &Meta{LastUpdated: fmt.Sprintf("2026-01-01T00:00:0%dZ", page)}}
		b.Entry = []BundleEntry{{Resource: jsontext.Value(fmt.Sprintf(`{"resourceType":"Task","id":"t%d"}`, page)), Search: &EntrySearch{Mode: "match"}}}
		if n := next(srv.URL, page); n != "" {
			b.Link = []BundleLink{{Relation: "next", URL: n}}
		}
		json.NewEncoder(w).Encode(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func collect(t *testing.T, c *Client) ([]string, SearchStats, error) {
	t.Helper()
	var ids []string
	st, err := c.Search(context.Background(), "Task", nil, func(p Page) error {
		for _, r := range p.Matches {
			ids = append(ids, r.ID)
		}
		return nil
	})
	return ids, st, err
}

func TestSearchFollowsNextOnOwnOrigin(t *testing.T) {
	srv := pagesServer(t, func(u string, page int) string {
		if page < 2 {
			return fmt.Sprintf("%s/fhir/Task?page=%d", u, page+1)
		}
		return ""
	})
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	ids, st, err := collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "t0,t1,t2" || st.Pages != 3 || st.Requests != 3 {
		t.Errorf("got ids %v, %d pages, %d requests; want t0,t1,t2 in 3 pages and 3 requests", ids, st.Pages, st.Requests)
	}
	if st.ServerTime != "2026-01-01T00:00:00Z" {
		t.Errorf("ServerTime = %q; want the first page's Bundle.meta.lastUpdated", st.ServerTime)
	}
}

func TestSearchRefusesUnsafeNextLinks(t *testing.T) {
	cases := map[string]func(u string, page int) string{
		"off-origin": func(u string, page int) string { return "https://evil.example/fhir/Task?page=1" },
		"other port": func(u string, page int) string { return "http://127.0.0.1:1/fhir/Task?page=1" },
		"other path": func(u string, page int) string { return u + "/other/Task?page=1" },
		"self loop":  func(u string, page int) string { return fmt.Sprintf("%s/fhir/Task?page=%d", u, page) },
		"A-B-A cycle": func(u string, page int) string {
			return fmt.Sprintf("%s/fhir/Task?page=%d", u, 1-page)
		},
	}
	for name, next := range cases {
		t.Run(name, func(t *testing.T) {
			srv := pagesServer(t, next)
			tokens := &countingTokens{}
			c, _ := NewClient(srv.URL+"/fhir", nil, tokens)
			_, _, err := collect(t, c)
			if KindOf(err) != KindRefused {
				t.Fatalf("err = %v; want a refusal", err)
			}
		})
	}
}

// A search whose caller gives up part way reports that, never a complete
// result (Sync would move its watermark past pages it never stored).
func TestSearchCancelledIsNotComplete(t *testing.T) {
	srv := pagesServer(t, func(u string, page int) string { return fmt.Sprintf("%s/fhir/Task?page=%d", u, page+1) })
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		pages := 0
		_, err := c.Search(ctx, "Task", nil, func(Page) error {
			if pages++; pages == 3 {
				cancel()
			}
			return nil
		})
		cancel()
		if err == nil {
			t.Fatalf("a search cancelled after %d pages returned no error", pages)
		}
	}
}

func TestSearchStopsAtMaxPages(t *testing.T) {
	srv := pagesServer(t, func(u string, page int) string { return fmt.Sprintf("%s/fhir/Task?page=%d", u, page+1) })
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	c.MaxPages = 10
	_, st, err := collect(t, c)
	if KindOf(err) != KindRefused || st.Pages != 10 {
		t.Fatalf("err = %v after %d pages; want a refusal after 10", err, st.Pages)
	}
}

// countingTokens hands out "tok1", then "tok2" after a refresh.
type countingTokens struct {
	mu        sync.Mutex
	current   string
	refreshes int
}

func (c *countingTokens) AccessToken(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current == "" {
		c.current = "tok1"
	}
	return c.current, nil
}

func (c *countingTokens) Refresh(_ context.Context, stale string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshes++
	c.current = fmt.Sprintf("tok%d", c.refreshes+1)
	return c.current, nil
}

func TestReadRefreshesOnceOn401(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") != "Bearer tok2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"resourceType":"Task","id":"t1","meta":{"versionId":"4"}}`)
	}))
	defer srv.Close()
	tokens := &countingTokens{}
	c, _ := NewClient(srv.URL+"/fhir", nil, tokens)
	r, err := c.Read(context.Background(), "Task", "t1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Meta.VersionID != "4" || tokens.refreshes != 1 || strings.Join(seen, ",") != "Bearer tok1,Bearer tok2" {
		t.Errorf("version %q, %d refreshes, auth headers %v; want one refresh then success with the new token", r.Meta.VersionID, tokens.refreshes, seen)
	}
	// A second 401 is not retried forever.
	tokens.current = "bad"
	tokens.refreshes = 5
	if _, err := c.Read(context.Background(), "Task", "t1"); KindOf(err) != KindUnauthorized {
		t.Errorf("err = %v; want KindUnauthorized after one retry", err)
	}
}

func TestUpdateQuotesIfMatchAndReportsConflict(t *testing.T) {
	var ifMatch string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ifMatch = r.Header.Get("If-Match")
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(http.StatusPreconditionFailed)
		fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"conflict","diagnostics":"Version 3 is not current"}]}`)
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	_, err := c.Update(context.Background(), "Task", "t1", []byte(`{"resourceType":"Task","id":"t1"}`), "abc-uuid")
	if ifMatch != `W/"abc-uuid"` {
		t.Errorf("If-Match = %q; want it quoted as W/\"abc-uuid\"", ifMatch)
	}
	if KindOf(err) != KindConflict || OutcomeOf(err) != "Version 3 is not current" {
		t.Errorf("err = %v; want a conflict carrying the server's explanation", err)
	}
}

func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the client followed a redirect to another server (Authorization %q)", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/fhir/Task/t1", http.StatusFound))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, &countingTokens{})
	if _, err := c.Read(context.Background(), "Task", "t1"); KindOf(err) != KindRefused {
		t.Errorf("err = %v; want the redirect refused", err)
	}
}

func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"resourceType":"Task","id":"t1","x":"` + strings.Repeat("a", 2<<20) + `"}`))
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	c.MaxBody = 1 << 20
	if _, err := c.Read(context.Background(), "Task", "t1"); KindOf(err) != KindBadResponse {
		t.Errorf("err = %v; want a 2 MB body refused with a 1 MB limit", err)
	}
}

func TestBodyLimitAnnounced(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(2<<20))
		w.Write([]byte(strings.Repeat(" ", 2<<20)))
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	c.MaxBody = 1 << 20
	if _, err := c.Read(context.Background(), "Task", "t1"); KindOf(err) != KindBadResponse || !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("err = %v (kind %v); want a body announced at 2 MB refused as a bad response with a 1 MB limit", err, KindOf(err))
	}
}

func TestUserAgentSent(t *testing.T) {
	var agents []string
	var mu sync.Mutex
	srv := pagesServer(t, func(srvURL string, page int) string {
		if page < 2 {
			return fmt.Sprintf("%s/fhir/Task?page=%d", srvURL, page+1)
		}
		return ""
	})
	spy := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, _ := NewClient(srv.URL+"/fhir", spy, nil)
	if _, err := c.Search(context.Background(), "Task", nil, func(Page) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if len(agents) != 3 || slices.ContainsFunc(agents, func(a string) bool { return a != wire.UserAgent() }) {
		t.Errorf("User-Agents sent: %q; want %q on each of the 3 pages", agents, wire.UserAgent())
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRetryAfterBothForms(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if d := retryAfter("120", now); d != 2*time.Minute {
		t.Errorf("delta-seconds: got %v, want 2m", d)
	}
	if d := retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); d != 90*time.Second {
		t.Errorf("HTTP-date: got %v, want 1m30s", d)
	}
	if d := retryAfter("soon", now); d != 0 {
		t.Errorf("garbage: got %v, want 0", d)
	}
}

func TestBatchMapsEntries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req Bundle
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Type != "batch" || r.Method != http.MethodPost {
			t.Errorf("not a batch POST: %v %v", r.Method, err)
		}
		resp := Bundle{ResourceType: "Bundle", Type: "batch-response"}
		for _, e := range req.Entry {
			if strings.HasSuffix(e.Request.URL, "missing") {
				resp.Entry = append(resp.Entry, BundleEntry{Response: &EntryResponse{Status: "404 Not Found"}})
				continue
			}
			typ, id, _ := SplitReference(e.Request.URL)
			resp.Entry = append(resp.Entry, BundleEntry{Resource: jsontext.Value(fmt.Sprintf(`{"resourceType":%q,"id":%q}`, typ, id)), Response: &EntryResponse{Status: "200 OK"}})
		}
		json.NewEncoder(w).Encode(resp)
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	c.BatchSize = 2
	res, err := c.Batch(context.Background(), []string{"Patient/a", "Consent/missing", "Condition/c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || res[0].Resource.Ref() != "Patient/a" || KindOf(res[1].Err) != KindNotFound || res[2].Resource.Ref() != "Condition/c" {
		t.Errorf("batch results wrong: %+v", res)
	}
	if c.Requests() != 2 {
		t.Errorf("%d requests; want 2 batches of at most 2", c.Requests())
	}
}

// Batches go out several at once, never more than BatchesInFlight, and their
// results come back in the order asked; one failing batch fails the call.
func TestBatchInFlight(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	arrived := make(chan struct{})
	release := make(chan struct{})
	ended := make(chan struct{}) // a failed test lets held requests go
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		select {
		case arrived <- struct{}{}:
			select {
			case <-release:
			case <-ended:
			}
		case <-ended:
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		var req Bundle
		json.NewDecoder(r.Body).Decode(&req)
		resp := Bundle{ResourceType: "Bundle", Type: "batch-response"}
		for _, e := range req.Entry {
			if strings.HasSuffix(e.Request.URL, "broken") {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			typ, id, _ := SplitReference(e.Request.URL)
			resp.Entry = append(resp.Entry, BundleEntry{Resource: jsontext.Value(fmt.Sprintf(`{"resourceType":%q,"id":%q}`, typ, id)), Response: &EntryResponse{Status: "200 OK"}})
		}
		json.NewEncoder(w).Encode(resp)
	}))
	defer srv.Close()
	defer close(ended)
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	c.BatchSize, c.BatchesInFlight = 1, 2
	refs := []string{"Patient/a", "Patient/b", "Patient/c", "Patient/d", "Patient/e"}
	var res []BatchResult
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err = c.Batch(context.Background(), refs)
	}()
	// The server holds each pair until both have arrived: the batches must be
	// in flight together, and no third may come meanwhile.
	for sent := 0; sent < len(refs); {
		held := 0
		for held < min(2, len(refs)-sent) {
			select {
			case <-arrived:
				held++
			case <-time.After(10 * time.Second):
				t.Fatalf("%d batch(es) in flight after %d answered; want 2 at once", held, sent)
			}
		}
		for range held {
			release <- struct{}{}
		}
		sent += held
	}
	<-done
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Resource.Ref() != refs[i] {
			t.Fatalf("result %d is %s, want %s (in the order asked)", i, r.Resource.Ref(), refs[i])
		}
	}
	if most > 2 {
		t.Errorf("%d batches in flight at once, want at most 2", most)
	}

	done = make(chan struct{})
	go func() {
		defer close(done)
		_, err = c.Batch(context.Background(), []string{"Patient/a", "Patient/broken", "Patient/c", "Patient/d"})
	}()
	for served := false; !served; {
		select {
		case <-arrived:
			release <- struct{}{}
		case <-done:
			served = true
		}
	}
	if KindOf(err) != KindServer {
		t.Errorf("a failing batch: %v, want the server error", err)
	}
}

// The resources of a search page stay as they came while later answers
// are read.
func TestResourcesOutliveTheBufferTheyWereReadInto(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("_id")
		fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Task","id":%q}}]}`, id)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL+"/fhir", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kept []Resource
	for _, id := range []string{"first", "other"} {
		_, err := c.Search(context.Background(), "Task", url.Values{"_id": {id}}, func(p Page) error {
			kept = append(kept, p.Matches...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := string(kept[0].Raw), `{"resourceType":"Task","id":"first"}`; got != want {
		t.Errorf("the first page's Task after the second page was read: %s, want %s", got, want)
	}
}
