package fhir

import (
	"fmt"
	"net/url"
	"strconv"
)

// TaskSearch is the search for the referral Tasks a source owns that changed
// since the last complete sync (SDOH Clinical Care IG, "Checking Task
// Status": Task?owner=<ref>&_lastUpdated=gt<timestamp>).
type TaskSearch struct {
	// Owner is whose Tasks: a typed reference ("Organization/123",
	// "PractitionerRole/7"). Real servers match a bare id to nothing, and
	// owner may be any of several types, so the type is never guessed.
	Owner string
	// Since is the watermark: the server's own time string from the
	// previous complete search (Page.ServerTime), sent as given; "" asks
	// for everything. Never the local clock: the two clocks disagree.
	Since string
	// PageSize asks for this many Tasks a page (_count); 0 leaves it to the server.
	PageSize int
	// Include names what each page brings along, e.g. "Task:focus" (the
	// ServiceRequest: SHALL on coordination platforms).
	Include []string
	// Total asks the server to count the matches (_total=accurate), for a
	// long first sync to show how far it has come.
	Total bool
}

// Query is the search's URL query. Tasks come oldest change first, so that
// the server time of a search is a watermark no Task of it lies beyond.
func (s TaskSearch) Query() (url.Values, error) {
	owner, err := searchReference(s.Owner)
	if err != nil {
		return nil, &Error{Op: "search Task", Kind: KindRefused, Err: err}
	}
	if s.PageSize < 0 {
		return nil, &Error{Op: "search Task", Kind: KindRefused, Err: fmt.Errorf("page size %d", s.PageSize)}
	}
	q := url.Values{"owner": {owner}, "_sort": {"_lastUpdated"}}
	if len(s.Include) > 0 {
		q["_include"] = append([]string(nil), s.Include...)
	}
	if s.PageSize > 0 {
		q.Set("_count", strconv.Itoa(s.PageSize))
	}
	if s.Since != "" {
		q.Set("_lastUpdated", "gt"+s.Since)
	}
	if s.Total {
		q.Set("_total", "accurate")
	}
	return q, nil
}

// searchReference is ref as a reference search parameter takes it: "Type/id"
// for a relative reference (a version or trailing slash dropped), an
// absolute URL as given (it names the server too). A bare id is refused.
func searchReference(ref string) (string, error) {
	typ, id, ok := SplitReference(ref)
	if !ok {
		return "", fmt.Errorf("owner %q is not a typed reference like Organization/123", ref)
	}
	if u, err := url.Parse(ref); err == nil && u.IsAbs() {
		return ref, nil
	}
	return typ + "/" + id, nil
}
