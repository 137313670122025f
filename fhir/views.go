package fhir

import (
	"strings"
)

// The typed views below read only what Referral Desk shows or acts on. Missing
// elements stay zero (the IG's must-support rule: treat missing as absent), and
// data-absent-reason extensions are simply not read.

// Annotation is a FHIR Annotation (a note).
type Annotation struct {
	Text         string    `json:"text"`
	Time         string    `json:"time,omitempty"`
	AuthorString string    `json:"authorString,omitempty"`
	AuthorRef    Reference `json:"authorReference,omitempty"`
}

// Period is a FHIR Period.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// ContactPoint is a FHIR ContactPoint (phone, email …).
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

// HumanName is a FHIR HumanName.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Period Period   `json:"period,omitempty"`
}

// String is the name as a person would write it.
func (n HumanName) String() string {
	if n.Text != "" {
		return n.Text
	}
	return strings.TrimSpace(strings.Join(append(append([]string{}, n.Given...), n.Family), " "))
}

// Address is a FHIR Address.
type Address struct {
	Use        string   `json:"use,omitempty"`
	Text       string   `json:"text,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Period     Period   `json:"period,omitempty"`
}

// String is the address on one line.
func (a Address) String() string {
	if a.Text != "" {
		return a.Text
	}
	parts := append([]string{}, a.Line...)
	tail := strings.TrimSpace(strings.Join([]string{a.City, strings.TrimSpace(a.State + " " + a.PostalCode)}, ", "))
	if tail != "" && tail != "," {
		parts = append(parts, strings.Trim(tail, ", "))
	}
	return strings.Join(parts, ", ")
}

// TaskIO is Task.input / Task.output: a type and one value[x] (only the ones Referral Desk reads).
type TaskIO struct {
	Type                 CodeableConcept  `json:"type"`
	ValueReference       *Reference       `json:"valueReference,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueString          string           `json:"valueString,omitempty"`
}

// Task is the referral Task (SDOHCC Task For Referral Management).
type Task struct {
	Identity
	Status       string          `json:"status"`
	StatusReason CodeableConcept `json:"statusReason"`
	Intent       string          `json:"intent"`
	Priority     string          `json:"priority"`
	Code         CodeableConcept `json:"code"`
	Focus        Reference       `json:"focus"`
	For          Reference       `json:"for"`
	AuthoredOn   string          `json:"authoredOn"`
	LastModified string          `json:"lastModified"`
	Requester    Reference       `json:"requester"`
	Owner        *Reference      `json:"owner,omitempty"`
	Note         []Annotation    `json:"note"`
	Input        []TaskIO        `json:"input"`
	Output       []TaskIO        `json:"output"`
}

// ServiceRequest is the request a referral Task asks to fulfil (SDOHCC ServiceRequest).
type ServiceRequest struct {
	Identity
	Status             string            `json:"status"`
	Intent             string            `json:"intent"`
	Priority           string            `json:"priority"`
	Category           []CodeableConcept `json:"category"`
	Code               CodeableConcept   `json:"code"`
	OrderDetail        []CodeableConcept `json:"orderDetail"`
	Subject            Reference         `json:"subject"`
	Requester          Reference         `json:"requester"`
	OccurrencePeriod   *Period           `json:"occurrencePeriod,omitempty"`
	OccurrenceDateTime string            `json:"occurrenceDateTime,omitempty"`
	AuthoredOn         string            `json:"authoredOn"`
	ReasonCode         []CodeableConcept `json:"reasonCode"`
	ReasonReference    []Reference       `json:"reasonReference"`
	SupportingInfo     []Reference       `json:"supportingInfo"`
	Note               []Annotation      `json:"note"`
}

// DoNotContact reports whether the requester said the person must not be contacted.
func (sr ServiceRequest) DoNotContact() bool {
	for _, d := range sr.OrderDetail {
		if d.Has("", CodeContactProhibited) {
			return true
		}
	}
	return false
}

// SDOHCategory returns the SDOH category of the request (e.g. food-insecurity), if any.
func (sr ServiceRequest) SDOHCategory() (Coding, bool) {
	for _, c := range sr.Category {
		for _, cd := range c.Coding {
			if cd.System == SystemSDOHTemporary {
				return cd, true
			}
		}
	}
	return Coding{}, false
}

// Communication is Patient.communication.
type Communication struct {
	Language  CodeableConcept `json:"language"`
	Preferred bool            `json:"preferred,omitempty"`
}

// Patient is the person a referral is for.
type Patient struct {
	Identity
	Name          []HumanName     `json:"name"`
	Gender        string          `json:"gender"`
	BirthDate     string          `json:"birthDate"`
	Telecom       []ContactPoint  `json:"telecom"`
	Address       []Address       `json:"address"`
	Communication []Communication `json:"communication"`
}

// DisplayName is the name currently in use: an "official"/"usual" one, else one without an end date, else the first.
func (p Patient) DisplayName() string {
	best := -1
	for i, n := range p.Name {
		if n.Period.End == "" && (best < 0 || n.Use == "official" || n.Use == "usual") {
			best = i
		}
	}
	if best < 0 && len(p.Name) > 0 {
		best = 0
	}
	if best < 0 {
		return ""
	}
	return p.Name[best].String()
}

// Consent is the SDOHCC Consent to release SDOH information.
type Consent struct {
	Identity
	Status       string            `json:"status"`
	Scope        CodeableConcept   `json:"scope"`
	Category     []CodeableConcept `json:"category"`
	DateTime     string            `json:"dateTime"`
	Organization []Reference       `json:"organization"`
	PolicyRule   CodeableConcept   `json:"policyRule"`
	Provision    struct {
		Type   string `json:"type"`
		Period Period `json:"period"`
	} `json:"provision"`
}

// Organization is a FHIR Organization.
type Organization struct {
	Identity
	Name    string         `json:"name"`
	Telecom []ContactPoint `json:"telecom"`
	Address []Address      `json:"address"`
}

// Practitioner is a FHIR Practitioner.
type Practitioner struct {
	Identity
	Name    []HumanName    `json:"name"`
	Telecom []ContactPoint `json:"telecom"`
}

// PractitionerRole is a FHIR PractitionerRole.
type PractitionerRole struct {
	Identity
	Practitioner Reference         `json:"practitioner"`
	Organization Reference         `json:"organization"`
	Code         []CodeableConcept `json:"code"`
	Telecom      []ContactPoint    `json:"telecom"`
}

// Condition is a FHIR Condition (the SDOH problem behind a request).
type Condition struct {
	Identity
	Code     CodeableConcept   `json:"code"`
	Category []CodeableConcept `json:"category"`
}

// Goal is a FHIR Goal.
type Goal struct {
	Identity
	Description CodeableConcept `json:"description"`
}
