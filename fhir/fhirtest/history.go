package fhirtest

import (
	"fmt"
	"net/http"

	"github.com/referraldesk/referraldesk/fhir"
)

// history answers GET [type]/[id]/_history (FHIR R4 §3.1.0.4): every
// version the platform kept, newest first, as a history Bundle. A client
// that queued a change against an older version reads it here (or with
// vread) to tell the requester's edits from its own. A deletion is an entry
// without a resource. SMART v2 counts history as a read ("r").
func (s *Server) history(c *caller, typ, id string) reply {
	if !c.may(typ, 'r') {
		return c.forbidden(typ, 'r')
	}
	if !fhirID.MatchString(id) {
		return outcomeReply(http.StatusBadRequest, "invalid", fmt.Sprintf("%q is not a FHIR id", id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.data.record(typ, id)
	if rec == nil {
		return outcomeReply(http.StatusNotFound, "not-found", typ+"/"+id+" is not known to this platform")
	}
	n := len(rec.versions)
	b := fhir.Bundle{
		ResourceType: "Bundle",
		Type:         "history",
		Total:        &n,
		Link:         []fhir.BundleLink{{Relation: "self", URL: s.FHIRBase() + "/" + typ + "/" + id + "/_history"}},
		Entry:        make([]fhir.BundleEntry, 0, n),
	}
	for i := n - 1; i >= 0; i-- {
		v := rec.versions[i]
		e := fhir.BundleEntry{
			FullURL:  s.FHIRBase() + "/" + typ + "/" + id,
			Request:  &fhir.EntryRequest{Method: http.MethodPut, URL: typ + "/" + id},
			Response: &fhir.EntryResponse{Status: "200 OK", Etag: etag(v), LastModified: formatInstant(v.lastUpdated)},
		}
		switch {
		case v.deleted:
			e.Request.Method, e.Response.Status = http.MethodDelete, "204 No Content"
		case i == 0:
			e.Request.Method, e.Request.URL, e.Response.Status = http.MethodPost, typ, "201 Created"
			e.Resource = v.raw
		default:
			e.Resource = v.raw
		}
		b.Entry = append(b.Entry, e)
	}
	return jsonReply(http.StatusOK, b)
}
