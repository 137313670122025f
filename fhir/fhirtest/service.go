package fhirtest

import (
	"fmt"
	"net/http"
	"slices"
)

// A CBO publishes its capacity (IG 3.0.0, capacity.md) by creating or
// updating an SDOHCC HealthcareService For Referral Management that it
// provides. This platform lets the case worker do so, with
// Options.HealthcareService, for services of the case worker's
// organization only, as a real platform would not let one CBO edit
// another's programs.

// providedByUs reports whether a HealthcareService names the case worker's
// organization in providedBy. The caller holds s.mu.
func (s *Server) providedByUs(doc map[string]any) bool {
	return slices.ContainsFunc(refs(doc["providedBy"]), func(r string) bool { return s.isUs(r) })
}

func notOurService(ref string) reply {
	return outcomeReply(http.StatusForbidden, "forbidden", fmt.Sprintf(
		"%s: a recipient may publish only services its own organization provides (providedBy)", ref))
}

// updateService answers PUT HealthcareService/[id] with the checks of a
// Task update (scope, body, If-Match, 404/410) and the rule that the
// service is the case worker's organization's before and after.
func (s *Server) updateService(c *caller, id string, r *http.Request) reply {
	u, bad := s.readUpdate(c, "HealthcareService", id, r)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, bad := s.currentForUpdate(u)
	if bad != nil {
		return *bad
	}
	if !s.providedByUs(cur.doc) || !s.providedByUs(u.doc) {
		return notOurService("HealthcareService/" + id)
	}
	v := s.data.put(u.doc, s.now())
	rep := resourceReply(http.StatusOK, v)
	rep.location = s.historyURL(v)
	return rep
}
