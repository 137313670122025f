package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// Resource is one resource as the server sent it, with the identity fields read out.
type Resource struct {
	Type string
	ID   string
	Meta Meta
	Raw  json.RawMessage
}

// Ref is the resource's relative reference, "Type/id".
func (r Resource) Ref() string { return r.Type + "/" + r.ID }

// ParseResource reads the identity of a resource and keeps its bytes. It
// reads only resourceType, id and meta; the rest is left for typed views.
// JSON in which an object gives a member twice is refused
// (ErrDuplicateMember).
func ParseResource(raw []byte) (Resource, error) {
	end, dup := checkResource(raw, 0, 0)
	if end < 0 || skipSpace(raw, end) != len(raw) {
		return Resource{}, fmt.Errorf("not a FHIR resource: invalid JSON")
	}
	if dup != "" {
		return Resource{}, fmt.Errorf("not a FHIR resource: %w", duplicateError(dup))
	}
	return parseValidResource(raw)
}

// ErrDuplicateMember matches (errors.Is) a resource in which an object gives
// a member twice: readers differ on which value counts (checkResource), so
// such a resource is malformed, never stored, and never the base of an update.
var ErrDuplicateMember = errors.New("a member is given twice in one object")

func duplicateError(name string) error { return fmt.Errorf("%w: %q", ErrDuplicateMember, name) }

// entryResource reads the resource of a search or batch entry, refusing one
// that gives a member twice. A refused resource comes back with what could
// be read of its type and id, to name it.
func entryResource(e BundleEntry) (Resource, error) {
	r, err := parseValidResource(e.Resource)
	if e.duplicate != "" {
		return Resource{Type: r.Type, ID: r.ID}, duplicateError(e.duplicate)
	}
	return r, err
}

// readMeta reads versionId and lastUpdated of a meta object; null is none.
func readMeta(v []byte, m *Meta) error {
	if string(v) == "null" {
		return nil
	}
	var err error
	scanErr := topLevel(v, func(name, v []byte) bool {
		switch string(name) {
		case "versionId":
			err = errors.Join(err, readString(v, &m.VersionID))
		case "lastUpdated":
			err = errors.Join(err, readString(v, &m.LastUpdated))
		}
		return true
	})
	return errors.Join(scanErr, err)
}

// parseValidResource is ParseResource for JSON already known to be valid
// (part of a Bundle readBundle has checked).
func parseValidResource(raw []byte) (Resource, error) {
	r := Resource{Raw: json.RawMessage(raw)}
	var err error
	found := 0
	scanErr := topLevel(raw, func(name, v []byte) bool {
		switch string(name) {
		case "resourceType":
			err = errors.Join(err, readString(v, &r.Type))
			found++
		case "id":
			err = errors.Join(err, readString(v, &r.ID))
			found++
		case "meta":
			err = errors.Join(err, readMeta(v, &r.Meta))
			found++
		}
		return found < 3
	})
	if err = errors.Join(scanErr, err); err != nil {
		return Resource{}, fmt.Errorf("not a FHIR resource: %w", err)
	}
	if r.Type == "" {
		return Resource{}, fmt.Errorf("not a FHIR resource: no resourceType")
	}
	return r, nil
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
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *EntrySearch    `json:"search,omitempty"`
	Request  *EntryRequest   `json:"request,omitempty"`
	Response *EntryResponse  `json:"response,omitempty"`

	// duplicate is a member name an object in Resource gives twice, found
	// by readBundle as it checks the JSON; "" when none is.
	duplicate string
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
	Status       string          `json:"status"`
	Location     string          `json:"location,omitempty"`
	Etag         string          `json:"etag,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	Outcome      json.RawMessage `json:"outcome,omitempty"`
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
