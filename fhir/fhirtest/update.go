package fhirtest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// recipientElements are what a recipient that did not create a referral Task
// may change (SDOH CC IG, "Referral Management": status, statusReason,
// output), with meta and text, which the server and narrative generators own.
var recipientElements = []string{"status", "statusReason", "output", "meta", "text"}

// transitions are the status changes the IG lets the recipient make.
// A Task an older server still marks "received" moves on like a requested one.
var transitions = map[string][]string{
	fhir.StatusRequested:  {fhir.StatusAccepted, fhir.StatusRejected, fhir.StatusCancelled},
	fhir.StatusReceived:   {fhir.StatusAccepted, fhir.StatusRejected, fhir.StatusCancelled},
	fhir.StatusAccepted:   {fhir.StatusInProgress, fhir.StatusOnHold, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusCancelled},
	fhir.StatusInProgress: {fhir.StatusOnHold, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusCancelled},
	fhir.StatusOnHold:     {fhir.StatusInProgress, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusCancelled},
}

// updateTask answers PUT Task/[id] with the checks of a strict platform, in
// order: scope, body, version (If-Match), ownership, the IG's element rule,
// the IG's status transitions. The stored copy is the JSON the client sent,
// with a new meta.versionId and meta.lastUpdated.
func (s *Server) updateTask(c *caller, id string, r *http.Request) reply {
	u, bad := s.readUpdate(c, "Task", id, r)
	if bad != nil {
		return *bad
	}
	doc := u.doc

	s.mu.Lock()
	defer s.mu.Unlock()
	cur, bad := s.currentForUpdate(u)
	if bad != nil {
		return *bad
	}

	oldOwner, _ := cur.doc["owner"].(map[string]any)
	newOwner, _ := doc["owner"].(map[string]any)
	allowed := recipientElements
	switch {
	case oldOwner != nil && s.isUs(oldOwner["reference"]):
	case oldOwner == nil && newOwner != nil && s.isUs(newOwner["reference"]):
		allowed = append(slices.Clone(allowed), "owner") // claiming unassigned work
	default:
		return outcomeReply(http.StatusForbidden, "forbidden", fmt.Sprintf("only the Task's owner may update it; Task/%s is owned by %s", id, describeRef(oldOwner)))
	}
	if requester, _ := cur.doc["requester"].(map[string]any); requester == nil || !s.isUs(requester["reference"]) {
		if changed := changedElements(cur.doc, doc, allowed); len(changed) > 0 {
			return outcomeReply(http.StatusForbidden, "business-rule", fmt.Sprintf(
				"a recipient may change only Task.status, Task.statusReason and Task.output (SDOH CC IG); this update changes %s", strings.Join(changed, ", ")))
		}
	}
	from, _ := cur.doc["status"].(string)
	to, _ := doc["status"].(string)
	if msg := transitionProblem(from, to); msg != "" {
		return outcomeReply(http.StatusUnprocessableEntity, "business-rule", msg)
	}

	v := s.data.put(doc, s.now())
	rep := resourceReply(http.StatusOK, v)
	rep.location = s.historyURL(v)
	return rep
}

// update is a PUT [type]/[id] whose scope, body and If-Match were read.
type update struct {
	typ, id    string
	doc        map[string]any
	ifMatch    string // the versionId If-Match names
	hasIfMatch bool
}

// readUpdate runs the checks of every update that need no lock, in order:
// scope, body (of type typ, with the id of the URL), If-Match syntax.
func (s *Server) readUpdate(c *caller, typ, id string, r *http.Request) (*update, *reply) {
	bad := func(rep reply) (*update, *reply) { return nil, &rep }
	if !c.may(typ, 'u') {
		return bad(c.forbidden(typ, 'u'))
	}
	doc, rep := readResourceBody(r, typ)
	if rep != nil {
		return nil, rep
	}
	if bodyID, _ := doc["id"].(string); bodyID != id {
		return bad(outcomeReply(http.StatusBadRequest, "invalid", fmt.Sprintf("the body's id %q does not match %s/%s in the URL", bodyID, typ, id)))
	}
	want, hasIfMatch, err := ifMatchVersion(r.Header.Get("If-Match"))
	if err != nil {
		return bad(outcomeReply(http.StatusBadRequest, "invalid", err.Error()))
	}
	return &update{typ: typ, id: id, doc: doc, ifMatch: want, hasIfMatch: hasIfMatch}, nil
}

// currentForUpdate finds the version u replaces: it must exist (this
// platform does not create on update), be live, and be the one If-Match
// names. The caller holds s.mu.
func (s *Server) currentForUpdate(u *update) (*version, *reply) {
	bad := func(rep reply) (*version, *reply) { return nil, &rep }
	ref := u.typ + "/" + u.id
	cur := s.data.current(u.typ, u.id)
	switch {
	case cur == nil:
		return bad(outcomeReply(http.StatusNotFound, "not-found", ref+" is not known to this platform (it does not create on update)"))
	case cur.deleted:
		return bad(outcomeReply(http.StatusGone, "deleted", ref+" was deleted"))
	case !u.hasIfMatch && s.opts.RequireIfMatch:
		return bad(outcomeReply(http.StatusPreconditionRequired, "required", `this platform requires If-Match: W/"<versionId>" on updates`))
	case u.hasIfMatch && u.ifMatch != cur.versionID:
		return bad(outcomeReply(http.StatusPreconditionFailed, "conflict", fmt.Sprintf("%s changed: If-Match names version %s, the current version is %s", ref, u.ifMatch, cur.versionID)))
	}
	return cur, nil
}

// ifMatchVersion reads If-Match: W/"v" or "v". An unquoted value is an error:
// some real servers silently ignore it and apply the update.
func ifMatchVersion(h string) (version string, present bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", false, nil
	}
	v := strings.TrimPrefix(h, "W/")
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || strings.Count(v, `"`) != 2 {
		return "", true, fmt.Errorf(`If-Match must be quoted: W/"<versionId>", not %s`, h)
	}
	return v[1 : len(v)-1], true, nil
}

func transitionProblem(from, to string) string {
	switch {
	case to == "":
		return "Task.status is required"
	case to == fhir.StatusReceived || to == fhir.StatusReady:
		return fmt.Sprintf("status %q is not allowed for referral Tasks (SDOH CC IG since 2.1.0)", to)
	case to == from:
		return ""
	case !slices.Contains(transitions[from], to):
		return fmt.Sprintf("a recipient cannot move a referral Task from %q to %q", from, to)
	}
	return ""
}

// isUs reports whether a reference names the signed-in case worker's side:
// the CBO organization, the case worker's role or another role of the CBO,
// or a HealthcareService the CBO provides.
func (s *Server) isUs(reference any) bool {
	r, _ := reference.(string)
	r = s.normRef(r)
	if r == referralgen.OwnerOrganization || r == referralgen.CaseWorkerRole {
		return true
	}
	typ, id, ok := fhir.SplitReference(r)
	if !ok || strings.Contains(r, "://") {
		return false
	}
	v := s.data.live(typ, id)
	if v == nil {
		return false
	}
	var org any
	switch typ {
	case "PractitionerRole":
		org = v.doc["organization"]
	case "HealthcareService":
		org = v.doc["providedBy"]
	}
	return slices.ContainsFunc(refs(org), func(o string) bool { return s.normRef(o) == referralgen.OwnerOrganization })
}

func describeRef(m map[string]any) string {
	if m == nil {
		return "no one (unassigned; claim it by setting owner to your organization)"
	}
	r, _ := m["reference"].(string)
	return r
}

// changedElements lists, as "Task.x", the top-level elements that differ
// between old and new, leaving out those in allowed. Values are compared as
// JSON values: key order and number spelling (1.0 vs 1) do not matter.
func changedElements(old, new map[string]any, allowed []string) []string {
	var out []string
	for _, k := range sortedKeys(merge(old, new)) {
		if !slices.Contains(allowed, k) && !sameJSON(old[k], new[k]) {
			out = append(out, "Task."+k)
		}
	}
	return out
}

func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, sameJSON)
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(b))
		return okx && oky && x.Cmp(y) == 0
	}
	return a == b
}
