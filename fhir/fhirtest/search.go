package fhirtest

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

const maxCount = 1000

// searchQuery is a parsed search.
type searchQuery struct {
	typ      string
	filters  []filter
	count    int
	offset   int
	desc     bool
	total    bool
	includes []include
	pages    string // _getpages: the id of an earlier search being paged
	kept     []kv   // the parameters applied, for the self and next links
}

// include is one _include=Type:param[:Target].
type include struct {
	param  searchParam
	target string
}

// parseSearch reads the parameters of a search of typ. Unknown parameters
// are ignored (and left out of the links) unless strict.
func (s *Server) parseSearch(typ string, pairs []kv, strict bool) (*searchQuery, *reply) {
	q := &searchQuery{typ: typ, count: s.opts.PageSize}
	for _, p := range pairs {
		name, modifier, _ := strings.Cut(p.key, ":")
		if strings.HasPrefix(name, "_") && modifier != "" {
			return nil, badSearch("modifier %s is not supported", p.key)
		}
		keep, err := s.readParam(q, name, modifier, p.value, strict)
		if err != nil {
			return nil, badSearch("%v", err)
		}
		if keep {
			q.kept = append(q.kept, p)
		}
	}
	return q, nil
}

func badSearch(format string, a ...any) *reply {
	rep := outcomeReply(http.StatusBadRequest, "invalid", fmt.Sprintf(format, a...))
	return &rep
}

// readParam adds one parameter to q; keep says whether the links of the
// result repeat it (paging and format parameters, and unknown ones, not).
func (s *Server) readParam(q *searchQuery, name, modifier, value string, strict bool) (keep bool, err error) {
	switch name {
	case "_count", "_sort", "_total", "_getpages", "_getpagesoffset", "_format", "_pretty":
		return readResultParam(q, name, value)
	case "_include":
		inc, err := s.parseInclude(q.typ, value)
		if err != nil {
			return false, err
		}
		q.includes = append(q.includes, inc)
	case "_id":
		ids := strings.Split(value, ",")
		q.filters = append(q.filters, func(v *version) bool { return slices.Contains(ids, v.id) })
	case "_lastUpdated":
		f, err := lastUpdatedFilter(value)
		if err != nil {
			return false, fmt.Errorf("_lastUpdated: %v", err)
		}
		q.filters = append(q.filters, f)
	default:
		sp, ok := lookupParam(q.typ, name)
		if !ok {
			if strict {
				return false, fmt.Errorf("%s has no search parameter %q on this platform", q.typ, joinModifier(name, modifier))
			}
			return false, nil
		}
		f, err := s.paramFilter(sp, modifier, value)
		if err != nil {
			return false, fmt.Errorf("%s: %v", joinModifier(name, modifier), err)
		}
		q.filters = append(q.filters, f)
	}
	return true, nil
}

func joinModifier(name, modifier string) string {
	if modifier == "" {
		return name
	}
	return name + ":" + modifier
}

// readResultParam reads the parameters that shape the result, not which
// resources match: page size, order, total, paging and format.
func readResultParam(q *searchQuery, name, value string) (keep bool, err error) {
	switch name {
	case "_count":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return false, fmt.Errorf("_count must be a whole number, not %q", value)
		}
		q.count = min(n, maxCount)
	case "_sort":
		switch value {
		case "_lastUpdated":
			q.desc = false
		case "-_lastUpdated":
			q.desc = true
		default:
			return false, fmt.Errorf("_sort supports _lastUpdated and -_lastUpdated, not %q", value)
		}
	case "_total":
		switch value {
		case "none":
			q.total = false
		case "estimate", "accurate":
			q.total = true
		default:
			return false, fmt.Errorf("_total must be none, estimate or accurate")
		}
	case "_getpages":
		q.pages = value
		return false, nil
	case "_getpagesoffset":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return false, fmt.Errorf("_getpagesoffset must be a whole number")
		}
		q.offset = n
		return false, nil
	case "_format", "_pretty":
		return false, nil
	}
	return true, nil
}

func (s *Server) parseInclude(typ, value string) (include, error) {
	parts := strings.Split(value, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != typ {
		return include{}, fmt.Errorf("_include=%s: expected %s:<parameter>[:<type>]", value, typ)
	}
	p, ok := lookupParam(typ, parts[1])
	if !ok || p.kind != refParam {
		return include{}, fmt.Errorf("_include=%s: %s has no reference parameter %q", value, typ, parts[1])
	}
	inc := include{param: p}
	if len(parts) == 3 {
		inc.target = parts[2]
	}
	return inc, nil
}

// match runs q over the current data in the deterministic order: by
// meta.lastUpdated, then id. The caller holds s.mu.
func (s *Server) match(q *searchQuery) []*version {
	var out []*version
	for _, v := range s.data.all(q.typ) {
		if !slices.ContainsFunc(q.filters, func(f filter) bool { return !f(v) }) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *version) int {
		if c := a.lastUpdated.Compare(b.lastUpdated); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	if q.desc {
		slices.Reverse(out)
	}
	return out
}

// search answers a type search. Paging is over a snapshot: the first page
// records the matching versions and the search time, and later pages
// (_getpages=<id>&_getpagesoffset=N) read that snapshot, so a write made
// while a client pages neither shifts nor repeats entries, and every page
// carries the first page's Bundle.meta.lastUpdated. The page is encoded
// after s.mu is released, so that other requests are answered meanwhile,
// as a real server answers reads in parallel.
func (s *Server) search(c *caller, typ string, pairs []kv, strict bool) reply {
	if !c.may(typ, 's') {
		return c.forbidden(typ, 's')
	}
	q, bad := s.parseSearch(typ, pairs, strict)
	if bad != nil {
		return *bad
	}
	page, bad := s.searchPage(c, typ, q)
	if bad != nil {
		return *bad
	}
	return jsonReply(http.StatusOK, page)
}

// searchPage finds the snapshot of q and builds the page it asks for.
func (s *Server) searchPage(c *caller, typ string, q *searchQuery) (fhir.Bundle, *reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var snap *snapshot
	if q.pages != "" {
		snap = s.searches.get(q.pages)
		if snap == nil {
			rep := outcomeReply(http.StatusGone, "not-found", "these search results expired; search again")
			return fhir.Bundle{}, &rep
		}
		if snap.typ != typ || snap.query != encodePairs(q.kept) {
			rep := outcomeReply(http.StatusBadRequest, "invalid", "_getpages belongs to a different search")
			return fhir.Bundle{}, &rep
		}
	} else {
		snap = &snapshot{typ: typ, query: encodePairs(q.kept), matches: s.match(q), at: s.data.readTime(s.now())}
		if q.count > 0 && q.offset+q.count < len(snap.matches) {
			s.searches.add(snap)
		}
	}
	return s.searchBundle(c, q, snap), nil
}

// searchBundle builds one page of a snapshot. The caller holds s.mu.
func (s *Server) searchBundle(c *caller, q *searchQuery, snap *snapshot) fhir.Bundle {
	lo := min(q.offset, len(snap.matches))
	hi := min(lo+q.count, len(snap.matches))
	page := snap.matches[lo:hi]
	b := fhir.Bundle{
		ResourceType: "Bundle",
		Type:         "searchset",
		Meta:         &fhir.Meta{LastUpdated: formatInstant(snap.at)},
		Link:         []fhir.BundleLink{{Relation: "self", URL: s.pageURL(q.typ, snap.query, snap.id, lo)}},
		Entry:        []fhir.BundleEntry{},
	}
	if q.count > 0 && hi < len(snap.matches) { // _count=0 asks for the total only
		b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: s.pageURL(q.typ, snap.query, snap.id, hi)})
	}
	if q.total {
		n := len(snap.matches)
		b.Total = &n
	}
	seen := map[string]bool{}
	for _, v := range page {
		seen[v.typ+"/"+v.id] = true
		b.Entry = append(b.Entry, s.entry(v, "match"))
	}
	for _, v := range page {
		for _, inc := range q.includes {
			for _, r := range refs(v.doc[inc.param.element]) {
				r = s.normRef(r)
				typ, id, ok := fhir.SplitReference(r)
				if !ok || strings.Contains(r, "://") || (inc.target != "" && typ != inc.target) || seen[r] {
					continue // not a resource of this server, or already in the page
				}
				seen[r] = true
				if iv := s.data.asOf(typ, id, snap.at); iv != nil && (c.may(typ, 'r') || c.may(typ, 's')) {
					b.Entry = append(b.Entry, s.entry(iv, "include"))
				}
			}
		}
	}
	return b
}

func (s *Server) entry(v *version, mode string) fhir.BundleEntry {
	return fhir.BundleEntry{
		FullURL:  s.FHIRBase() + "/" + v.typ + "/" + v.id,
		Resource: v.raw,
		Search:   &fhir.EntrySearch{Mode: mode},
	}
}

// pageURL is the link to the page at offset of a search of typ.
func (s *Server) pageURL(typ, query, pages string, offset int) string {
	var parts []string
	if query != "" {
		parts = append(parts, query)
	}
	if pages != "" {
		parts = append(parts, "_getpages="+url.QueryEscape(pages))
	}
	if pages != "" || offset > 0 {
		parts = append(parts, "_getpagesoffset="+strconv.Itoa(offset))
	}
	u := s.FHIRBase() + "/" + typ
	if len(parts) > 0 {
		u += "?" + strings.Join(parts, "&")
	}
	return u
}

// postSearch answers POST [type]/_search: parameters in the form body and the URL.
func (s *Server) postSearch(c *caller, typ string, r *http.Request) reply {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return outcomeReply(http.StatusUnsupportedMediaType, "not-supported", "POST _search takes application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return outcomeReply(http.StatusRequestEntityTooLarge, "too-costly", "the request body is too large")
	}
	pairs, err := queryPairs(r.URL.RawQuery + "&" + string(body))
	if err != nil {
		return outcomeReply(http.StatusBadRequest, "invalid", err.Error())
	}
	return s.search(c, typ, pairs, strictHandling(r))
}

func encodePairs(pairs []kv) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = url.QueryEscape(p.key) + "=" + url.QueryEscape(p.value)
	}
	return strings.Join(parts, "&")
}

// snapshot is the result of a search that has more than one page.
type snapshot struct {
	id      string
	typ     string
	query   string // the applied parameters, encoded
	matches []*version
	at      time.Time // Bundle.meta.lastUpdated of every page
}

// searchCache keeps the latest snapshots; the oldest are dropped (their
// next links then answer 410, as real servers do when results expire).
type searchCache struct {
	byID  map[string]*snapshot
	order []string
}

const maxSnapshots = 256

func newSearchCache() *searchCache { return &searchCache{byID: map[string]*snapshot{}} }

func (sc *searchCache) add(snap *snapshot) {
	snap.id = randomToken()[:22]
	sc.byID[snap.id] = snap
	sc.order = append(sc.order, snap.id)
	if len(sc.order) > maxSnapshots {
		delete(sc.byID, sc.order[0])
		sc.order = sc.order[1:]
	}
}

func (sc *searchCache) get(id string) *snapshot { return sc.byID[id] }
