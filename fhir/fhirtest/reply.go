package fhirtest

import (
	"maps"
	"net/http"
	"slices"

	"github.com/referraldesk/referraldesk/fhir"
)

const fhirJSON = "application/fhir+json"

// reply is the outcome of one FHIR interaction before it is written, so that
// the same code answers a plain request and an entry of a batch.
type reply struct {
	status   int
	body     []byte
	header   http.Header
	version  *version // the body is this version: ETag and Last-Modified follow it
	location string
}

// resourceReply answers with a stored version.
func resourceReply(status int, v *version) reply {
	return reply{status: status, body: v.raw, version: v}
}

func jsonReply(status int, v any) reply {
	return reply{status: status, body: marshal(v)}
}

// outcomeReply is an error (or information) as an OperationOutcome; code is
// a FHIR issue-type code ("not-found", "forbidden", "conflict", ...).
func outcomeReply(status int, code, diagnostics string) reply {
	severity := "error"
	if status < 400 {
		severity = "information"
	}
	return jsonReply(status, fhir.OperationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []fhir.OutcomeIssue{{Severity: severity, Code: code, Diagnostics: diagnostics}},
	})
}

func etag(v *version) string { return `W/"` + v.versionID + `"` }

// writeReply writes a reply as application/fhir+json.
func (s *Server) writeReply(w http.ResponseWriter, rep reply) {
	h := w.Header()
	for k, vs := range rep.header {
		h[k] = vs
	}
	if v := rep.version; v != nil {
		h.Set("ETag", etag(v))
		h.Set("Last-Modified", v.lastUpdated.UTC().Format(http.TimeFormat))
	}
	if rep.location != "" {
		h.Set("Location", rep.location)
	}
	if rep.body != nil {
		h.Set("Content-Type", fhirJSON)
	}
	w.WriteHeader(rep.status)
	w.Write(rep.body)
}

// writeJSON writes plain JSON (OAuth and SMART documents).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(marshal(v))
}

func sortedKeys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }
