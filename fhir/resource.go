package fhir

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Reference is a FHIR Reference: "Type/id" (relative) or an absolute URL.
type Reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// TypeID splits a relative reference "Type/id" (or ".../Type/id/_history/v").
func (r Reference) TypeID() (typ, id string, ok bool) {
	return SplitReference(r.Reference)
}

// SplitReference splits "Type/id", ignoring a base URL prefix and a
// "/_history/v" suffix. ok is false for contained ("#x") or malformed refs.
func SplitReference(ref string) (typ, id string, ok bool) {
	if ref == "" || strings.HasPrefix(ref, "#") {
		return "", "", false
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	ref = strings.TrimRight(ref, "/")
	slash := strings.LastIndexByte(ref, '/')
	if slash < 0 {
		return "", "", false
	}
	typ, id = ref[:slash], ref[slash+1:]
	typ = typ[strings.LastIndexByte(typ, '/')+1:]
	if typ == "" || id == "" || typ[0] < 'A' || typ[0] > 'Z' {
		return "", "", false
	}
	return typ, id, true
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Label is the text a person should read: text, else the first display, else the first code.
func (c CodeableConcept) Label() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// Has reports whether the concept carries system#code (any system when system is "").
func (c CodeableConcept) Has(system, code string) bool {
	for _, cd := range c.Coding {
		if cd.Code == code && (system == "" || cd.System == system) {
			return true
		}
	}
	return false
}

// Meta is the part of Resource.meta the client tracks.
type Meta struct {
	VersionID   string `json:"versionId,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
}

// Identity is what every resource has: its type, id and meta. Each typed
// view embeds it, so a resource's identity is read with its view.
type Identity struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         Meta   `json:"meta"`
}

func (id *Identity) identity() *Identity { return id }

// Resource is one resource as the server sent it, read once (ParseResource): its
// identity, its bytes as they came (to store), and the typed view of its
// type, for the types Referral Desk reads (As).
type Resource struct {
	Type string
	ID   string
	Meta Meta
	Raw  jsontext.Value
	view any // a pointer to the View of its type, nil for other types or a view that could not be read
}

// Ref is the resource's relative reference, "Type/id".
func (r Resource) Ref() string { return r.Type + "/" + r.ID }

// View is a typed view ParseResource reads a resource into: one for each type
// Referral Desk reads.
type View interface {
	Task | ServiceRequest | Patient | Consent | Organization | Practitioner | PractitionerRole | Condition |
		CapabilityStatement
}

// As returns the typed view r was read into, if r is of T's type and its
// members had the shapes T gives them.
func As[T View](r Resource) (T, bool) {
	v, ok := r.view.(*T)
	if !ok {
		var zero T
		return zero, false
	}
	return *v, true
}

// ErrDuplicateMember matches (errors.Is) a resource in which an object gives
// a member twice: such a resource is malformed, never stored, and never the
// base of an update.
var ErrDuplicateMember = errors.New("a member is given twice in one object")

// ParseResource reads a resource in one pass: its JSON is checked (a member given
// twice is refused: ErrDuplicateMember), its identity read, and, for the
// types Referral Desk reads, its typed view. A view member of an unexpected
// shape leaves the resource without a view (As says no), not unread: the
// IG asks receivers to treat what they cannot read as absent. raw is kept,
// not copied. A refused resource comes back with what could be read of its
// type and id, to name it.
func ParseResource(raw []byte) (Resource, error) {
	view, id := viewFor(peekType(raw))
	err := jsonv2.Unmarshal(raw, view, strict)
	var semantic *jsonv2.SemanticError
	if errors.As(err, &semantic) && view != any(id) {
		view, id = viewFor("") // read again for its identity alone
		err = jsonv2.Unmarshal(raw, view, strict)
	}
	if err != nil {
		return named(raw), notAResource(err)
	}
	return resourceOf(raw, view, id)
}

// resourceOf is the resource raw holds, read into view, whose identity is id.
func resourceOf(raw []byte, view any, id *Identity) (Resource, error) {
	if id.ResourceType == "" {
		return Resource{}, errors.New("not a FHIR resource: no resourceType")
	}
	r := Resource{Type: id.ResourceType, ID: id.ID, Meta: id.Meta, Raw: raw}
	if view != any(id) {
		r.view = view
	}
	return r, nil
}

// viewFor returns a new View for a resource of type typ, and the identity
// in it; for other types, an identity alone (both results the same).
func viewFor(typ string) (view any, id *Identity) {
	switch typ {
	case "Task":
		return viewWithID(new(Task))
	case "ServiceRequest":
		return viewWithID(new(ServiceRequest))
	case "Patient":
		return viewWithID(new(Patient))
	case "Consent":
		return viewWithID(new(Consent))
	case "Organization":
		return viewWithID(new(Organization))
	case "Practitioner":
		return viewWithID(new(Practitioner))
	case "PractitionerRole":
		return viewWithID(new(PractitionerRole))
	case "Condition":
		return viewWithID(new(Condition))
	case "CapabilityStatement":
		return viewWithID(new(CapabilityStatement))
	}
	id = new(Identity)
	return id, id
}

func viewWithID[T any, P interface {
	*T
	identity() *Identity
}](v P) (any, *Identity) {
	return v, v.identity()
}

// named is what can be read of a refused resource's type and id, to name
// it: nothing else of it is kept.
func named(raw []byte) Resource {
	var id Identity
	unmarshal(raw, &id)
	return Resource{Type: id.ResourceType, ID: id.ID}
}

// notAResource says why raw is not a resource, naming a member given twice.
func notAResource(err error) error {
	var syntax *jsontext.SyntacticError
	if errors.As(err, &syntax) && errors.Is(syntax.Err, jsontext.ErrDuplicateName) {
		return fmt.Errorf("not a FHIR resource: %w: %q", ErrDuplicateMember, syntax.JSONPointer.LastToken())
	}
	return fmt.Errorf("not a FHIR resource: %w", err)
}

// peekType returns the resourceType of a resource, reading only as far as
// that member: servers send it first, most often at the very start, where
// it is read as it stands. "" when raw is not an object that gives a string
// resourceType at its top level.
func peekType(raw []byte) string {
	if rest, ok := bytes.CutPrefix(raw, []byte(`{"resourceType":"`)); ok {
		if end := bytes.IndexByte(rest, '"'); end > 0 && bytes.IndexByte(rest[:end], '\\') < 0 {
			return string(rest[:end])
		}
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw), strict)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return ""
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return ""
		}
		if name.String() == "resourceType" {
			v, err := dec.ReadToken()
			if err != nil || v.Kind() != '"' {
				return ""
			}
			return v.String()
		}
		if dec.SkipValue() != nil {
			return ""
		}
	}
	return ""
}

// Bundle is a FHIR Bundle (searchset, batch, batch-response).
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// Link returns the URL of the link with the given relation ("next", "self"), or "".
func (b Bundle) LinkURL(relation string) string {
	for _, l := range b.Link {
		if l.Relation == relation {
			return l.URL
		}
	}
	return ""
}

// BundleLink is Bundle.link.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is Bundle.entry.
type BundleEntry struct {
	FullURL  string         `json:"fullUrl,omitempty"`
	Resource jsontext.Value `json:"resource,omitempty"`
	Search   *EntrySearch   `json:"search,omitempty"`
	Request  *EntryRequest  `json:"request,omitempty"`
	Response *EntryResponse `json:"response,omitempty"`
}

// EntrySearch is Bundle.entry.search; Mode is "match" or "include".
type EntrySearch struct {
	Mode string `json:"mode,omitempty"`
}

// EntryRequest is Bundle.entry.request in a batch.
type EntryRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

// EntryResponse is Bundle.entry.response in a batch-response.
type EntryResponse struct {
	Status       string         `json:"status"`
	Location     string         `json:"location,omitempty"`
	Etag         string         `json:"etag,omitempty"`
	LastModified string         `json:"lastModified,omitempty"`
	Outcome      jsontext.Value `json:"outcome,omitempty"`
}

// OperationOutcome is a FHIR OperationOutcome.
type OperationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []OutcomeIssue `json:"issue"`
}

// OutcomeIssue is OperationOutcome.issue.
type OutcomeIssue struct {
	Severity    string           `json:"severity"`
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
}

// Text is the outcome's explanation: details text or diagnostics of its issues.
func (o OperationOutcome) Text() string {
	var parts []string
	for _, is := range o.Issue {
		if is.Details != nil && is.Details.Label() != "" {
			parts = append(parts, is.Details.Label())
		} else if is.Diagnostics != "" {
			parts = append(parts, is.Diagnostics)
		}
	}
	return strings.Join(parts, "; ")
}
