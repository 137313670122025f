package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
)

// What a CBO posts when it completes a referral (the IG's Direct Referral
// Light steps): an SDOHCC Procedure for each service delivered, and, when
// asked, an SDOHCC Observation of the person's program enrollment.

const (
	// SystemURI is the identifier system of a urn:uuid value: an
	// identifier that is the same on every attempt to post the same thing.
	SystemURI = "urn:ietf:rfc:3986"
	// SystemUSCoreCategory holds the "sdoh" category.
	SystemUSCoreCategory = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"

	ProfileEnrollment     = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ObservationProgramEnrollmentStatus"
	CodeAdditionalContent = "additional-content"
	CodeProgramEnrollment = "program-enrollment"
)

// Outcome is what the Procedures and the Observation of one completion
// share: whom, for which request, by whom, when.
type Outcome struct {
	Category  Coding    // the SDOH domain (SDOHCC-CodeSystemTemporaryCodes)
	Subject   Reference // the person
	BasedOn   Reference // the ServiceRequest
	Performer Reference // the CBO that owns the referral
	Performed string    // date or dateTime
	Reasons   []Reference
}

// ProcedureJSON is the SDOHCC Procedure for one service delivered.
// identifier ("urn:uuid:…") lets a retry find it rather than post it twice.
func (o Outcome) ProcedureJSON(identifier string, service Coding) []byte {
	p := map[string]any{
		"resourceType": "Procedure",
		"meta":         map[string]any{"profile": []string{ProfileProcedure}},
		"identifier":   []any{map[string]any{"system": SystemURI, "value": identifier}},
		"status":       StatusCompleted,
		"category": CodeableConcept{Coding: []Coding{
			{System: SystemSNOMED, Code: "410606002", Display: "Social service procedure"}, o.Category}},
		"code":              CodeableConcept{Coding: []Coding{service}},
		"subject":           o.Subject,
		"performedDateTime": o.Performed,
		"basedOn":           []Reference{o.BasedOn},
		"performer":         []any{map[string]any{"actor": o.Performer}},
	}
	if len(o.Reasons) > 0 {
		p["reasonReference"] = o.Reasons
	}
	b, _ := json.Marshal(p)
	return b
}

// EnrollmentJSON is the SDOHCC Observation Program Enrollment Status:
// status is "enrolled", "not-enrolled" or "waitlist" (the IG's temporary
// codes), program the service it is about.
func (o Outcome) EnrollmentJSON(identifier string, program Coding, status, display string) []byte {
	obs := map[string]any{
		"resourceType": "Observation",
		"meta":         map[string]any{"profile": []string{ProfileEnrollment}},
		"identifier":   []any{map[string]any{"system": SystemURI, "value": identifier}},
		"status":       "final",
		"category": []CodeableConcept{
			{Coding: []Coding{{System: SystemUSCoreCategory, Code: "sdoh", Display: "SDOH"}}},
			{Coding: []Coding{{System: SystemSDOHTemporary, Code: CodeProgramEnrollment, Display: "Program Enrollment Status"}}},
		},
		"code":                 CodeableConcept{Coding: []Coding{program}},
		"subject":              o.Subject,
		"effectiveDateTime":    o.Performed,
		"performer":            []Reference{o.Performer},
		"valueCodeableConcept": CodeableConcept{Coding: []Coding{{System: SystemSDOHTemporary, Code: status, Display: display}}},
	}
	b, _ := json.Marshal(obs)
	return b
}

// CreateOnce posts a resource that carries identifier (SystemURI) unless
// the server already has one with it: by conditional create (If-None-Exist)
// where the server says it supports it, else by searching first. It returns
// the server's copy, new or found, so an interrupted completion posts each
// resource at most once.
func (c *Client) CreateOnce(ctx context.Context, typ string, body []byte, identifier string, conditional bool) (Resource, error) {
	query := url.Values{"identifier": {SystemURI + "|" + identifier}}
	if conditional {
		return c.create(ctx, typ, body, http.Header{"If-None-Exist": {query.Encode()}})
	}
	var found []Resource
	_, err := c.Search(ctx, typ, query, func(p Page) error {
		found = append(found, p.Matches...)
		return nil
	})
	switch {
	case err != nil:
		return Resource{}, err
	case len(found) > 1:
		return Resource{}, &Error{Op: "create " + typ, Kind: KindBadResponse, Err: errors.New("the server holds several with one identifier")}
	case len(found) == 1:
		return found[0], nil
	}
	return c.create(ctx, typ, body, nil)
}
