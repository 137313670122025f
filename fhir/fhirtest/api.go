package fhirtest

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxBody bounds a request body of the FHIR API.
const maxBody = 5 << 20

// caller is whom a FHIR request acts for: the user and the scopes granted to
// the access token it carries.
type caller struct {
	scopes []string
	user   string
}

// may reports whether the caller's scopes allow perm (one of "cruds") on typ.
func (c *caller) may(typ string, perm byte) bool { return scopesAllow(c.scopes, typ, perm) }

func (c *caller) forbidden(typ string, perm byte) reply {
	return outcomeReply(http.StatusForbidden, "forbidden", fmt.Sprintf(
		"the access token's scopes do not allow %s of %s (granted: %s)", permWords[perm], typ, strings.Join(c.scopes, " ")))
}

// serveFHIR answers everything under /fhir except the public metadata and
// SMART configuration: a valid Bearer token first, then the interaction.
func (s *Server) serveFHIR(w http.ResponseWriter, r *http.Request) {
	c, rep := s.authenticate(r)
	if c != nil {
		rep = s.interact(c, r)
	}
	s.writeReply(w, rep)
}

// authenticate finds the caller by the access token of a request (RFC 6750
// §2.1). Without a valid token the caller is nil and the reply is 401 with
// WWW-Authenticate (RFC 6750 §3).
func (s *Server) authenticate(r *http.Request) (*caller, reply) {
	realm := `Bearer realm="` + s.FHIRBase() + `"`
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		rep := outcomeReply(http.StatusUnauthorized, "login", "this FHIR API needs an access token (Authorization: Bearer)")
		rep.header = http.Header{"Www-Authenticate": {realm}}
		return nil, rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.auth.access[hashSecret(token)]
	problem := ""
	switch {
	case at == nil:
		problem = "the access token is not known to this platform"
	case at.revoked || at.grant.revoked:
		problem = "the access token was revoked"
	case at.expired || !s.now().Before(at.expires):
		problem = "the access token expired"
	}
	if problem != "" {
		rep := outcomeReply(http.StatusUnauthorized, "login", problem)
		rep.header = http.Header{"Www-Authenticate": {realm + `, error="invalid_token", error_description="` + problem + `"`}}
		return nil, rep
	}
	return &caller{scopes: at.scopes, user: at.grant.user}, reply{}
}

// interact answers one FHIR interaction; a write with Prefer:
// return=minimal gets no body.
func (s *Server) interact(c *caller, r *http.Request) reply {
	rep := s.dispatch(c, r)
	if r.Method != http.MethodGet && rep.status < 300 && rep.version != nil && preferMinimal(r) {
		rep.body = nil
	}
	return rep
}

func (s *Server) dispatch(c *caller, r *http.Request) reply {
	if wantsXML(r) {
		return outcomeReply(http.StatusNotAcceptable, "not-supported", "this platform speaks only application/fhir+json")
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/fhir"), "/"), "/")
	if segs[0] == "" {
		if r.Method == http.MethodPost {
			return s.batch(c, r)
		}
		return methodNotAllowed(r)
	}
	typ := segs[0]
	if !s.knownType(typ) {
		return outcomeReply(http.StatusNotFound, "not-supported", "this platform holds no resource type "+typ)
	}
	switch {
	case len(segs) == 1 && r.Method == http.MethodGet:
		pairs, err := queryPairs(r.URL.RawQuery)
		if err != nil {
			return outcomeReply(http.StatusBadRequest, "invalid", err.Error())
		}
		return s.search(c, typ, pairs, strictHandling(r))
	case len(segs) == 2 && segs[1] == "_search" && r.Method == http.MethodPost:
		return s.postSearch(c, typ, r)
	case len(segs) == 1 && r.Method == http.MethodPost:
		return s.create(c, typ, r)
	case len(segs) == 2 && r.Method == http.MethodGet:
		return s.read(c, typ, segs[1], "", r.Header.Get("If-None-Match"))
	case len(segs) == 2 && r.Method == http.MethodPut && typ == "Task":
		return s.updateTask(c, segs[1], r)
	case len(segs) == 2 && r.Method == http.MethodPut && typ == "HealthcareService" && s.updatable(typ):
		return s.updateService(c, segs[1], r)
	case len(segs) == 3 && segs[2] == "_history" && r.Method == http.MethodGet:
		return s.history(c, typ, segs[1])
	case len(segs) == 4 && segs[2] == "_history" && r.Method == http.MethodGet:
		return s.read(c, typ, segs[1], segs[3], r.Header.Get("If-None-Match"))
	}
	return methodNotAllowed(r)
}

func methodNotAllowed(r *http.Request) reply {
	return outcomeReply(http.StatusMethodNotAllowed, "not-supported", fmt.Sprintf("this platform does not support %s %s", r.Method, r.URL.Path))
}

var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// mayRead refuses a read the caller's scopes do not allow, or of an id
// FHIR would not give; nil when it may go on.
func mayRead(c *caller, typ, id string) *reply {
	if !c.may(typ, 'r') {
		r := c.forbidden(typ, 'r')
		return &r
	}
	if !fhirID.MatchString(id) {
		r := outcomeReply(http.StatusBadRequest, "invalid", fmt.Sprintf("%q is not a FHIR id", id))
		return &r
	}
	return nil
}

// knownRecord is typ/id's record, every version of it, or the 404 for an
// id the platform never had. The caller holds s.mu.
func (s *Server) knownRecord(typ, id string) (*record, *reply) {
	rec := s.data.record(typ, id)
	if rec == nil {
		r := outcomeReply(http.StatusNotFound, "not-found", typ+"/"+id+" is not known to this platform")
		return nil, &r
	}
	return rec, nil
}

// read answers GET [type]/[id] and, with vid, GET [type]/[id]/_history/[vid].
func (s *Server) read(c *caller, typ, id, vid, ifNoneMatch string) reply {
	if bad := mayRead(c, typ, id); bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, bad := s.knownRecord(typ, id)
	if bad != nil {
		return *bad
	}
	v := rec.versions[len(rec.versions)-1]
	if vid != "" {
		i := slices.IndexFunc(rec.versions, func(v *version) bool { return v.versionID == vid })
		if i < 0 {
			return outcomeReply(http.StatusNotFound, "not-found", typ+"/"+id+" has no version "+vid)
		}
		v = rec.versions[i]
	}
	if v.deleted {
		return outcomeReply(http.StatusGone, "deleted", typ+"/"+id+" was deleted")
	}
	if ifNoneMatch != "" && ifNoneMatch == etag(v) {
		return reply{status: http.StatusNotModified, version: v}
	}
	return resourceReply(http.StatusOK, v)
}

// createRules lists the types a recipient may create, with the elements
// each must have: those R4 requires, and for a HealthcareService the
// organization that provides it, which must be the case worker's.
var createRules = map[string][]string{
	"Procedure":         {"status", "subject"},
	"Observation":       {"status", "code"},
	"HealthcareService": {"providedBy"},
}

// creatable reports whether a recipient may create typ on this platform,
// and the elements it must have. HealthcareService needs
// Options.HealthcareService.
func (s *Server) creatable(typ string) ([]string, bool) {
	if typ == "HealthcareService" && !s.opts.HealthcareService {
		return nil, false
	}
	required, ok := createRules[typ]
	return required, ok
}

// updatable reports whether a recipient may update typ on this platform.
func (s *Server) updatable(typ string) bool {
	return typ == "Task" || (typ == "HealthcareService" && s.opts.HealthcareService)
}

// create answers POST [type]: a server-assigned id, version 1, 201 with
// Location. If-None-Exist makes it conditional (an existing match is
// returned with 200), which lets a client retry a create safely.
func (s *Server) create(c *caller, typ string, r *http.Request) reply {
	required, ok := s.creatable(typ)
	if !ok {
		return outcomeReply(http.StatusMethodNotAllowed, "not-supported", "a recipient may not create "+typ+" on this platform")
	}
	if !c.may(typ, 'c') {
		return c.forbidden(typ, 'c')
	}
	doc, rep := readResourceBody(r, typ)
	if rep != nil {
		return *rep
	}
	for _, e := range required {
		if doc[e] == nil {
			return outcomeReply(http.StatusUnprocessableEntity, "required", fmt.Sprintf("%s.%s is required", typ, e))
		}
	}
	var cond []kv
	if h := r.Header.Get("If-None-Exist"); h != "" {
		var err error
		if cond, err = queryPairs(strings.TrimPrefix(h, typ+"?")); err != nil {
			return outcomeReply(http.StatusBadRequest, "invalid", "If-None-Exist: "+err.Error())
		}
	}
	q, bad := s.parseSearch(typ, cond, true)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if typ == "HealthcareService" && !s.providedByUs(doc) {
		return notOurService("the HealthcareService")
	}
	if len(cond) > 0 {
		switch found := s.match(q); len(found) {
		case 0:
		case 1:
			rep := resourceReply(http.StatusOK, found[0])
			rep.location = s.historyURL(found[0])
			return rep
		default:
			return outcomeReply(http.StatusPreconditionFailed, "duplicate", "If-None-Exist matches more than one "+typ)
		}
	}
	doc["id"] = s.data.newID(typ)
	v := s.data.put(doc, s.now())
	created := resourceReply(http.StatusCreated, v)
	created.location = s.historyURL(v)
	return created
}

// readResourceBody decodes the JSON resource of a create or update, which
// must be of type typ.
func readResourceBody(r *http.Request, typ string) (map[string]any, *reply) {
	bad := func(status int, code, msg string) (map[string]any, *reply) {
		rep := outcomeReply(status, code, msg)
		return nil, &rep
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != fhirJSON && mt != "application/json" {
		return bad(http.StatusUnsupportedMediaType, "not-supported", "send the resource as application/fhir+json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return bad(http.StatusRequestEntityTooLarge, "too-costly", "the request body is too large")
	}
	doc, err := decodeObject(body)
	if err != nil {
		return bad(http.StatusBadRequest, "structure", "the body is not a JSON resource: "+err.Error())
	}
	if rt, _ := doc["resourceType"].(string); rt != typ {
		return bad(http.StatusBadRequest, "invalid", fmt.Sprintf("the body is a %q, not a %s", rt, typ))
	}
	return doc, nil
}

func (s *Server) historyURL(v *version) string {
	return s.FHIRBase() + "/" + v.typ + "/" + v.id + "/_history/" + v.versionID
}

// knownType reports whether typ is a resource type this platform serves.
func (s *Server) knownType(typ string) bool {
	if slices.Contains(resourceTypes, typ) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.types[typ] != nil
}

// kv is one query parameter, in the order the client sent it.
type kv struct{ key, value string }

// queryPairs splits a query string keeping order and repeats.
func queryPairs(raw string) ([]kv, error) {
	var out []kv
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("bad query parameter %q", k)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("bad value of %s", key)
		}
		out = append(out, kv{key, val})
	}
	return out, nil
}

// strictHandling reports Prefer: handling=strict (FHIR R4 §3.1.1.5.4):
// unknown search parameters are then an error, not ignored.
func strictHandling(r *http.Request) bool { return preferHas(r, "handling=strict") }

func preferMinimal(r *http.Request) bool { return preferHas(r, "return=minimal") }

func preferHas(r *http.Request, want string) bool {
	for _, h := range r.Header.Values("Prefer") {
		for p := range strings.SplitSeq(h, ",") {
			for q := range strings.SplitSeq(p, ";") {
				if strings.EqualFold(strings.TrimSpace(q), want) {
					return true
				}
			}
		}
	}
	return false
}

// wantsXML reports a request for XML only (_format or Accept).
func wantsXML(r *http.Request) bool {
	if f := r.URL.Query().Get("_format"); f != "" {
		return strings.Contains(f, "xml")
	}
	a := r.Header.Get("Accept")
	return strings.Contains(a, "xml") && !strings.Contains(a, "json") && !strings.Contains(a, "*/*")
}
