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
}

// SearchStats says what one search cost.
type SearchStats struct {
	Pages      int
	Requests   int64
	ServerTime string // ServerTime of the first page: the point the search saw
}

// Search runs a search and calls each for every page, following next links
// only on the server's own origin, refusing cycles and more than MaxPages
// pages. While each handles a page, the next one is already being fetched,
// so the server's time and the caller's overlap. An error from each stops
// the search and is returned.
func (c *Client) Search(ctx context.Context, typ string, q url.Values, each func(Page) error) (SearchStats, error) {
	return c.SearchPrepared(ctx, typ, q, nil, func(p Page, _ any) error { return each(p) })
}

// PagesPreparedAtOnce is how many pages SearchPrepared prepares at the same
// time: while one page waits on the server (a sync's batch reads), the next
// ones' requests go out too. With 3 instead of 2, a 10 000-referral sync
// left the platform idle less often: 1.06 s instead of 1.17 s (medians of
// 6 runs each, on 2 cores), for the same 302 requests.
const PagesPreparedAtOnce = 3

// SearchPrepared is Search with a first step for every page: prepare runs
// on a goroutine of its own as soon as the page is read, for up to
// PagesPreparedAtOnce pages at once, while each handles the pages before
// and the next pages are fetched. each receives, page by page in order, what
// prepare returned for the page; an error from either stops the search.
func (c *Client) SearchPrepared(ctx context.Context, typ string, q url.Values, prepare func(context.Context, Page) (any, error),
	each func(Page, any) error) (st SearchStats, err error) {
	op := "search " + typ
	before := c.Requests()
	defer func() { st.Requests = c.Requests() - before }()
	caller := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	read := make(chan fetched, 1) // pages read, in order
	// The pages being prepared, in order, each answering on its own channel.
	preparing := make(chan chan fetched, PagesPreparedAtOnce-1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(read)
		c.fetchPages(ctx, op, typ, c.url(typ, q), read)
	}()
	go func() {
		defer wg.Done()
		defer close(preparing)
		for f := range read {
			answer := make(chan fetched, 1)
			select {
			case preparing <- answer:
			case <-ctx.Done():
				return
			}
			go func(f fetched) {
				if f.err == nil && prepare != nil {
					f.prepared, f.err = prepare(ctx, f.page)
				}
				answer <- f
			}(f)
			if f.err != nil {
				return
			}
		}
	}()
	complete := false
	for answer := range preparing {
		f := <-answer
		if err = f.err; err != nil {
			break
		}
		if st.Pages == 0 {
			st.ServerTime = f.page.ServerTime
		}
		st.Pages++
		if err = each(f.page, f.prepared); err != nil {
			break
		}
		complete = f.last
	}
	if err == nil && !complete { // the stages stopped early: the caller's ctx ended
		err = &Error{Op: op, Kind: KindOffline, Err: context.Cause(caller)}
	}
	cancel() // never leave a fetch or a prepare running
	for answer := range preparing {
		<-answer
	}
	wg.Wait()
	return st, err
}

type fetched struct {
	page     Page
	last     bool // the search has no page after this one
	prepared any
	err      error
}

// fetchPages reads the pages of a search in order into out, following next
// links, until the last page, a failure (sent after the pages before it) or
// ctx's end. A next link refused ends the search after its page.
func (c *Client) fetchPages(ctx context.Context, op, typ, target string, out chan<- fetched) {
	send := func(f fetched) bool {
		select {
		case out <- f:
			return f.err == nil
		case <-ctx.Done():
			return false
		}
	}
	seen := map[string]bool{target: true}
	for n := 1; ; n++ {
		var f fetched
		var next string
		resp, data, err := c.doBundle(ctx, op, http.MethodGet, target, nil)
		if err == nil {
			f.page, next, err = readSearchPage(op, typ, data, resp.Header.Get("Date"))
		}
		f.err, f.last = err, next == ""
		if !send(f) || f.last {
			return
		}
		if target, err = c.nextLink(op, next, seen, n); err != nil {
			send(fetched{err: err})
			return
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

func readSearchPage(op, typ string, data []byte, date string) (Page, string, error) {
	b, err := readBundle(data)
	if err != nil || b.ResourceType != "Bundle" {
		return Page{}, "", &Error{Op: op, Kind: KindBadResponse, Err: fmt.Errorf("the answer is not a FHIR Bundle")}
	}
	var p Page
	if b.Meta != nil && b.Meta.LastUpdated != "" {
		p.ServerTime = b.Meta.LastUpdated
	} else if t, err := http.ParseTime(date); err == nil {
		p.ServerTime = t.UTC().Format(time.RFC3339)
	}
	for i, e := range b.Entry {
		if len(e.Resource) == 0 {
			continue
		}
		r, err := entryResource(e)
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
	return p, b.LinkURL("next"), nil
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
	_, data, err := c.doBundle(ctx, op, http.MethodPost, c.base.String(), body)
	if err != nil {
		return nil, err
	}
	b, err := readBundle(data)
	if err != nil || b.ResourceType != "Bundle" || len(b.Entry) != len(refs) {
		return nil, &Error{Op: op, Kind: KindBadResponse, Err: fmt.Errorf("the batch answer does not match the request")}
	}
	out := make([]BatchResult, len(refs))
	for i, e := range b.Entry {
		out[i].Ref = refs[i]
		status := 0
		if e.Response != nil {
			status = statusCode(e.Response.Status)
		}
		if status >= 400 || len(e.Resource) == 0 {
			fe := &Error{Op: "read " + refs[i], Kind: kindForStatus(status), Status: status}
			var oo OperationOutcome
			if e.Response != nil && unmarshal(e.Response.Outcome, &oo) == nil {
				fe.Outcome = oo.Text()
			}
			out[i].Err = fe
			continue
		}
		r, err := entryResource(e)
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
