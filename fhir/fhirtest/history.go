package fhirtest

import (
	"net/http"

	"github.com/referraldesk/referraldesk/fhir"
)

// history answers GET [type]/[id]/_history (FHIR R4 §3.1.0.4): every
// version the platform kept, newest first, as a history Bundle. A client
// that queued a change against an older version reads it here (or with
// vread) to tell the requester's edits from its own. A deletion is an entry
// without a resource. SMART v2 counts history as a read ("r").
func (s *Server) history(c *caller, typ, id string) reply {
	if bad := mayRead(c, typ, id); bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, bad := s.knownRecord(typ, id)
	if bad != nil {
		return *bad
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
