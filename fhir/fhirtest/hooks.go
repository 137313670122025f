package fhirtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// seedWindow is how far back the referrals made at Start were authored.
const seedWindow = 30 * 24 * time.Hour

// seed stores the generator's directory and Options.Referrals referrals,
// authored over the past 30 days, oldest first; each is stamped with its
// authoredOn as meta.lastUpdated, so the demo data has a history.
func (s *Server) seed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, raw := range s.gen.Directory() {
		s.storeGenerated(raw, now.Add(-seedWindow-time.Hour))
	}
	if s.opts.HealthcareService {
		s.storeGenerated(s.gen.HealthcareService(), now.Add(-seedWindow-time.Hour))
	}
	n := s.opts.Referrals
	for i := 1; i <= n; i++ {
		at := now.Add(-seedWindow + seedWindow/time.Duration(n)*time.Duration(i-1)).Truncate(time.Second)
		s.storeReferral(i, at, referralgen.Spec{})
	}
	s.nextReferral = n + 1
}

// storeReferral generates referral i and stores its resources. It returns
// the Task id. Options.AdditionalContent makes a share of the referrals
// content-rich unless spec says otherwise. Caller holds s.mu.
func (s *Server) storeReferral(i int, authoredOn time.Time, spec referralgen.Spec) string {
	if s.opts.AdditionalContent && spec.AdditionalContent == referralgen.ContentDefault {
		spec.AdditionalContent = referralgen.ContentSome
	}
	var taskID string
	for k, raw := range s.gen.Referral(i, authoredOn, spec) {
		v := s.storeGenerated(raw, authoredOn)
		if k == 0 {
			taskID = v.id
		}
	}
	return taskID
}

// storeGenerated stores one generated resource; generated data that does
// not decode is a bug in the generator.
func (s *Server) storeGenerated(raw json.RawMessage, at time.Time) *version {
	doc, err := decodeObject(raw)
	if err != nil {
		panic(fmt.Sprintf("fhirtest: generated resource: %v", err))
	}
	return s.data.put(doc, at)
}

// AddReferral generates the next referral with spec, authored now, stores
// it and returns its Task id.
func (s *Server) AddReferral(spec referralgen.Spec) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.nextReferral
	s.nextReferral++
	return s.storeReferral(i, s.now().UTC(), spec)
}

// Resource is the platform's current copy of typ/id; false if it does not
// exist or was deleted.
func (s *Server) Resource(typ, id string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.data.live(typ, id)
	if v == nil {
		return nil, false
	}
	return slices.Clone(v.raw), true
}

// Resources are the platform's current copies of every resource of typ,
// in no particular order: for a test to count what a client created.
func (s *Server) Resources(typ string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []json.RawMessage
	for _, v := range s.data.all(typ) {
		out = append(out, slices.Clone(v.raw))
	}
	return out
}

// UpdateAsRequester changes typ/id the way its requester would, bypassing
// every recipient rule: mutate edits a copy of the current resource, which
// is stored as a new version (new versionId and lastUpdated). Use it to
// cancel a referral upstream or to make a client's next update conflict.
// mutate runs without the server's lock (it may run again if a client
// writes meanwhile) and may not change id or type.
func (s *Server) UpdateAsRequester(typ, id string, mutate func(map[string]any)) error {
	// Optimistic: if a client writes between the copy and the store, edit
	// the newer version instead of overwriting the client's change.
	for range 5 {
		s.mu.Lock()
		v := s.data.live(typ, id)
		s.mu.Unlock()
		if v == nil {
			return fmt.Errorf("fhirtest: %s/%s does not exist", typ, id)
		}
		doc, err := decodeObject(v.raw)
		if err != nil {
			return err
		}
		mutate(doc)
		if doc["resourceType"] != typ || doc["id"] != id {
			return fmt.Errorf("fhirtest: UpdateAsRequester may not change the type or id of %s/%s", typ, id)
		}
		s.mu.Lock()
		stored := s.data.live(typ, id) == v
		if stored {
			s.data.put(doc, s.now())
		}
		s.mu.Unlock()
		if stored {
			return nil
		}
	}
	return fmt.Errorf("fhirtest: %s/%s keeps changing; not updated", typ, id)
}

// Delete deletes typ/id: reads answer 410 and searches no longer find it.
func (s *Server) Delete(typ, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.remove(typ, id, s.now())
}

// ExpireAccessTokens makes every access token issued so far fail with 401.
// Refresh tokens stay valid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.auth.access {
		at.expired = true
	}
}

// RevokeGrants makes every refresh token issued so far fail with
// invalid_grant, as when an administrator ends the app's access. Access
// tokens already issued keep working until they expire.
func (s *Server) RevokeGrants() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.auth.grants {
		g.refreshRevoked = true
	}
}

// SetFault installs f in front of every request (nil removes it). When f
// returns true it has answered the request itself: tests inject 500s, 429s
// and slow bodies this way.
func (s *Server) SetFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	if f == nil {
		s.fault.Store(nil)
		return
	}
	s.fault.Store(&f)
}

// SetAnswered installs f, called with each request once the server's answer
// to it has been written and flushed to the client (nil removes it). The
// crash suites time a kill from the moment a token answer left.
func (s *Server) SetAnswered(f func(r *http.Request)) {
	if f == nil {
		s.answered.Store(nil)
		return
	}
	s.answered.Store(&f)
}

// Requests lists the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.requests = nil
}

// secretParams are query parameters whose values never enter the log.
var secretParams = []string{"code", "code_verifier", "access_token", "refresh_token", "id_token", "token", "password", "client_secret", "client_assertion"}

func (s *Server) logRequest(r *http.Request) {
	req := Request{Method: r.Method, Path: r.URL.Path, RawQuery: redactQuery(r.URL.RawQuery), Time: s.now()}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.requests = append(s.requests, req)
}

func redactQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(k); err == nil && hasValue && slices.Contains(secretParams, name) {
			parts[i] = k + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}
