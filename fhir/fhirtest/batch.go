package fhirtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/referraldesk/referraldesk/fhir"
)

const maxBatchEntries = 1000

// batch answers POST [base] with a batch Bundle of reads and searches (the
// IG's SHOULD for fetching what a referral references). Each entry is
// answered on its own: a missing resource is a "404 Not Found" entry, not a
// failed batch.
func (s *Server) batch(c *caller, r *http.Request) reply {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != fhirJSON && mt != "application/json" {
		return outcomeReply(http.StatusUnsupportedMediaType, "not-supported", "send the batch as application/fhir+json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return outcomeReply(http.StatusRequestEntityTooLarge, "too-costly", "the request body is too large")
	}
	var in fhir.Bundle
	if err := json.Unmarshal(body, &in); err != nil || in.ResourceType != "Bundle" {
		return outcomeReply(http.StatusBadRequest, "structure", "the body is not a Bundle")
	}
	if in.Type != "batch" {
		return outcomeReply(http.StatusBadRequest, "not-supported", fmt.Sprintf("Bundle.type %q: this platform accepts only batch", in.Type))
	}
	if len(in.Entry) > maxBatchEntries {
		return outcomeReply(http.StatusRequestEntityTooLarge, "too-costly", fmt.Sprintf("at most %d entries in a batch", maxBatchEntries))
	}
	out := fhir.Bundle{ResourceType: "Bundle", Type: "batch-response", Entry: []fhir.BundleEntry{}}
	for _, e := range in.Entry {
		out.Entry = append(out.Entry, s.batchEntry(c, e, strictHandling(r)))
	}
	return jsonReply(http.StatusOK, out)
}

func (s *Server) batchEntry(c *caller, e fhir.BundleEntry, strict bool) fhir.BundleEntry {
	var rep reply
	switch {
	case e.Request == nil:
		rep = outcomeReply(http.StatusBadRequest, "required", "entry.request is required in a batch")
	case e.Request.Method != http.MethodGet:
		rep = outcomeReply(http.StatusMethodNotAllowed, "not-supported", "a batch on this platform may only GET, not "+e.Request.Method)
	default:
		rep = s.batchGet(c, e.Request.URL, strict)
	}
	resp := &fhir.EntryResponse{Status: fmt.Sprintf("%d %s", rep.status, http.StatusText(rep.status))}
	out := fhir.BundleEntry{Response: resp}
	if v := rep.version; v != nil {
		resp.Etag = etag(v)
		resp.LastModified = formatInstant(v.lastUpdated)
		out.FullURL = s.FHIRBase() + "/" + v.typ + "/" + v.id
	}
	switch {
	case rep.status >= 400:
		resp.Outcome = rep.body
	case rep.body != nil:
		out.Resource = rep.body
	}
	return out
}

// batchGet answers one GET of a batch: [type]/[id], [type]/[id]/_history,
// [type]/[id]/_history/[vid] or [type]?[params], relative or absolute on
// this server.
func (s *Server) batchGet(c *caller, target string, strict bool) reply {
	rel, found := strings.CutPrefix(target, s.FHIRBase()+"/")
	if !found && strings.Contains(target, "://") {
		return outcomeReply(http.StatusBadRequest, "invalid", target+" is not on this server")
	}
	rel = strings.TrimPrefix(rel, "/")
	path, query, _ := strings.Cut(rel, "?")
	segs := strings.Split(path, "/")
	if !s.knownType(segs[0]) {
		return outcomeReply(http.StatusNotFound, "not-supported", "this platform holds no resource type "+segs[0])
	}
	switch {
	case len(segs) == 1:
		pairs, err := queryPairs(query)
		if err != nil {
			return outcomeReply(http.StatusBadRequest, "invalid", err.Error())
		}
		return s.search(c, segs[0], pairs, strict)
	case len(segs) == 2:
		return s.read(c, segs[0], segs[1], "", "")
	case len(segs) == 3 && segs[2] == "_history":
		return s.history(c, segs[0], segs[1])
	case len(segs) == 4 && segs[2] == "_history":
		return s.read(c, segs[0], segs[1], segs[3], "")
	}
	return outcomeReply(http.StatusBadRequest, "invalid", "cannot GET "+target+" in a batch")
}
