package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Page is one page of search results.
type Page struct {
	Matches  []Resource // search.mode "match" (or of the searched type when no mode is given)
	Included []Resource // _include results
	// Skipped describes entries that were not valid resources; they are left out
	// rather than failing the whole page.
	Skipped []string
	// ServerTime is the server's time of this page: Bundle.meta.lastUpdated,
	// else the Date header. Incremental sync uses it, never the local clock.
	ServerTime string
	// Total is how many matches the whole search has (Bundle.total), or -1
	// when the server did not say.
	Total int
}

// SearchStats says what one search cost.
type SearchStats struct {
	Pages      int
	Requests   int64
	ServerTime string // ServerTime of the first page: the point the search saw
}

// Search runs a search and calls each with every page, in order,
// following next links only on the server's own origin, refusing cycles
// and more than MaxPages pages. An error from each stops the search and is
// returned; a search that ends before its last page (ctx) says so.
func (c *Client) Search(ctx context.Context, typ string, q url.Values, each func(Page) error) (st SearchStats, err error) {
	op := "search " + typ
	before := c.Requests()
	defer func() { st.Requests = c.Requests() - before }()
	target := c.url(typ, q)
	seen := map[string]bool{target: true}
	for {
		resp, b, err := c.doBundle(ctx, op, http.MethodGet, target, nil)
		if err != nil {
			return st, err
		}
		page, next := readSearchPage(typ, b, resp.Header.Get("Date"))
		if st.Pages == 0 {
			st.ServerTime = page.ServerTime
		}
		st.Pages++
		if err := each(page); err != nil {
			return st, err
		}
		if next == "" {
			return st, nil
		}
		if target, err = c.nextLink(op, next, seen, st.Pages); err != nil {
			return st, err
		}
	}
}

// nextLink checks a next link: on the server's origin, not seen before, within MaxPages.
func (c *Client) nextLink(op, link string, seen map[string]bool, pages int) (string, error) {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		u, err = c.base.Parse(link)
	}
	if err != nil || !c.onOrigin(u) {
		return "", &Error{Op: op, Kind: KindRefused, Err: fmt.Errorf("next link leads outside %s", c.base.Host)}
	}
	next := u.String()
	if seen[next] {
		return "", &Error{Op: op, Kind: KindRefused, Err: fmt.Errorf("the server's next link loops back to an earlier page")}
	}
	if pages >= c.MaxPages {
		return "", &Error{Op: op, Kind: KindRefused, Err: fmt.Errorf("more than %d pages", c.MaxPages)}
	}
	seen[next] = true
	return next, nil
}

// readSearchPage reads the resources of a search's Bundle, and its next link.
func readSearchPage(typ string, b bundleRead, date string) (Page, string) {
	p := Page{Total: -1}
	if b.Total != nil && *b.Total >= 0 {
		p.Total = *b.Total
	}
	if b.Meta != nil && b.Meta.LastUpdated != "" {
		p.ServerTime = b.Meta.LastUpdated
	} else if t, err := http.ParseTime(date); err == nil {
		p.ServerTime = t.UTC().Format(time.RFC3339)
	}
	for i, e := range b.Entry {
		if !e.Resource.given {
			continue
		}
		r, err := e.Resource.Resource, e.Resource.err
		if err != nil || r.ID == "" {
			p.Skipped = append(p.Skipped, skippedEntry(i, r, err))
			continue
		}
		mode := ""
		if e.Search != nil {
			mode = e.Search.Mode
		}
		switch {
		case mode == "match", mode == "" && r.Type == typ:
			p.Matches = append(p.Matches, r)
		case mode == "outcome":
		default:
			p.Included = append(p.Included, r)
		}
	}
	return p, b.LinkURL("next")
}

// skippedEntry says which entry of a page was left out, and why.
func skippedEntry(i int, r Resource, err error) string {
	s := fmt.Sprintf("entry %d", i+1)
	if r.Type != "" && r.ID != "" {
		s += " (" + r.Ref() + ")"
	}
	s += " is not a valid resource"
	if errors.Is(err, ErrDuplicateMember) {
		s += ": " + err.Error()
	}
	return s
}

// statusCode reads the code that starts a batch entry's status ("404 Not
// Found"), or 0.
func statusCode(status string) int {
	digits := len(status) - len(strings.TrimLeft(status, "0123456789"))
	code, _ := strconv.Atoi(status[:digits])
	return code
}

// BatchResult is the answer to one read in a batch.
type BatchResult struct {
	Ref      string // "Type/id" as asked
	Resource Resource
	Err      error // per entry, e.g. KindNotFound
}

// Batch reads many resources with batch Bundles of GETs (the IG's SHOULD),
// BatchSize at a time and up to BatchesInFlight at once. refs are relative
// "Type/id" references; the results are in their order. At the first
// failure the batches not yet answered are abandoned.
func (c *Client) Batch(ctx context.Context, refs []string) ([]BatchResult, error) {
	var chunks [][]string
	for start := 0; start < len(refs); start += c.BatchSize {
		chunks = append(chunks, refs[start:min(start+c.BatchSize, len(refs))])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]BatchResult, len(chunks))
	errs := make([]error, len(chunks))
	slots := make(chan struct{}, max(c.BatchesInFlight, 1))
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			errs[i] = ctx.Err()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if results[i], errs[i] = c.batch(ctx, chunk); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	var out []BatchResult
	for i := range chunks {
		if errs[i] != nil {
			return out, firstCause(errs)
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// firstCause is the first error that is not a cancellation (which Batch
// causes itself after a failure), else the first error.
func firstCause(errs []error) error {
	var canceled error
	for _, err := range errs {
		switch {
		case err == nil:
		case !errors.Is(err, context.Canceled):
			return err
		case canceled == nil:
			canceled = err
		}
	}
	return canceled
}

func (c *Client) batch(ctx context.Context, refs []string) ([]BatchResult, error) {
	const op = "batch read"
	req := Bundle{ResourceType: "Bundle", Type: "batch"}
	for _, ref := range refs {
		req.Entry = append(req.Entry, BundleEntry{Request: &EntryRequest{Method: http.MethodGet, URL: ref}})
	}
	body, _ := json.Marshal(req)
	_, b, err := c.doBundle(ctx, op, http.MethodPost, c.base.String(), body)
	if err != nil {
		return nil, err
	}
	if len(b.Entry) != len(refs) {
		return nil, &Error{Op: op, Kind: KindBadResponse, Err: fmt.Errorf("the batch answer does not match the request")}
	}
	out := make([]BatchResult, len(refs))
	for i, e := range b.Entry {
		out[i].Ref = refs[i]
		status := 0
		if e.Response != nil {
			status = statusCode(e.Response.Status)
		}
		if status >= 400 || !e.Resource.given {
			fe := &Error{Op: "read " + refs[i], Kind: kindForStatus(status), Status: status}
			var oo OperationOutcome
			if e.Response != nil && unmarshal(e.Response.Outcome, &oo) == nil {
				fe.Outcome = oo.Text()
			}
			out[i].Err = fe
			continue
		}
		r, err := e.Resource.Resource, e.Resource.err
		if err != nil {
			out[i].Err = &Error{Op: "read " + refs[i], Kind: KindBadResponse, Err: err}
			continue
		}
		if strings.TrimPrefix(refs[i], "/") != r.Ref() {
			out[i].Err = &Error{Op: "read " + refs[i], Kind: KindBadResponse, Err: fmt.Errorf("server answered with %s", r.Ref())}
			continue
		}
		out[i].Resource = r
	}
	return out, nil
}
