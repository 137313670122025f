package referralgen

import (
	"bytes"
	"encoding/json"

	"github.com/referraldesk/referraldesk/fhir"
)

// The structs below give each generated resource its wire shape. Field order
// follows the FHIR R4 element order (as in the IG examples), so the JSON reads
// like what a real server returns. Only elements the IG examples use, plus the
// must-support elements a referral recipient has to handle, are modelled.

type meta struct {
	Profile []string `json:"profile"`
}

func profile(url string) meta { return meta{Profile: []string{url}} }

type annotation struct {
	AuthorReference *fhir.Reference `json:"authorReference,omitempty"`
	Time            string          `json:"time,omitempty"`
	Text            string          `json:"text"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type extension struct {
	URL            string          `json:"url"`
	ValueReference *fhir.Reference `json:"valueReference,omitempty"`
}

type taskParameter struct {
	Type           fhir.CodeableConcept `json:"type"`
	ValueReference fhir.Reference       `json:"valueReference"`
}

type task struct {
	ResourceType string                `json:"resourceType"`
	ID           string                `json:"id"`
	Meta         meta                  `json:"meta"`
	Status       string                `json:"status"`
	StatusReason *fhir.CodeableConcept `json:"statusReason,omitempty"`
	Intent       string                `json:"intent"`
	Priority     string                `json:"priority,omitempty"`
	Code         fhir.CodeableConcept  `json:"code"`
	Focus        fhir.Reference        `json:"focus"`
	For          fhir.Reference        `json:"for"`
	AuthoredOn   string                `json:"authoredOn"`
	Requester    fhir.Reference        `json:"requester"`
	Owner        *fhir.Reference       `json:"owner,omitempty"`
	Note         []annotation          `json:"note,omitempty"`
	Input        []taskParameter       `json:"input,omitempty"`
	Output       []taskParameter       `json:"output,omitempty"`
}

type serviceRequest struct {
	ResourceType     string                 `json:"resourceType"`
	ID               string                 `json:"id"`
	Meta             meta                   `json:"meta"`
	Extension        []extension            `json:"extension,omitempty"`
	Status           string                 `json:"status"`
	Intent           string                 `json:"intent"`
	Category         []fhir.CodeableConcept `json:"category"`
	Priority         string                 `json:"priority,omitempty"`
	Code             fhir.CodeableConcept   `json:"code"`
	OrderDetail      []fhir.CodeableConcept `json:"orderDetail,omitempty"`
	Subject          fhir.Reference         `json:"subject"`
	OccurrencePeriod *period                `json:"occurrencePeriod,omitempty"`
	AuthoredOn       string                 `json:"authoredOn"`
	Requester        fhir.Reference         `json:"requester"`
	ReasonReference  []fhir.Reference       `json:"reasonReference,omitempty"`
	SupportingInfo   []fhir.Reference       `json:"supportingInfo,omitempty"`
	Note             []annotation           `json:"note,omitempty"`
}

type identifier struct {
	Use    string                `json:"use,omitempty"`
	Type   *fhir.CodeableConcept `json:"type,omitempty"`
	System string                `json:"system"`
	Value  string                `json:"value"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
	Prefix []string `json:"prefix,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
}

type contactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use,omitempty"`
	Rank   int    `json:"rank,omitempty"`
}

type address struct {
	Use        string   `json:"use,omitempty"`
	Line       []string `json:"line"`
	City       string   `json:"city"`
	State      string   `json:"state"`
	PostalCode string   `json:"postalCode"`
	Country    string   `json:"country,omitempty"`
}

type communication struct {
	Language  fhir.CodeableConcept `json:"language"`
	Preferred bool                 `json:"preferred"`
}

type patient struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Meta          meta            `json:"meta"`
	Identifier    []identifier    `json:"identifier"`
	Active        bool            `json:"active"`
	Name          []humanName     `json:"name"`
	Telecom       []contactPoint  `json:"telecom,omitempty"`
	Gender        string          `json:"gender"`
	BirthDate     string          `json:"birthDate"`
	Address       []address       `json:"address,omitempty"`
	Communication []communication `json:"communication"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Language    string `json:"language,omitempty"`
	Title       string `json:"title"`
	Creation    string `json:"creation,omitempty"`
}

type consentActor struct {
	Role      fhir.CodeableConcept `json:"role"`
	Reference fhir.Reference       `json:"reference"`
}

type consentProvision struct {
	Type   string         `json:"type"`
	Period period         `json:"period"`
	Actor  []consentActor `json:"actor,omitempty"`
}

type consent struct {
	ResourceType     string                 `json:"resourceType"`
	ID               string                 `json:"id"`
	Meta             meta                   `json:"meta"`
	Status           string                 `json:"status"`
	Scope            fhir.CodeableConcept   `json:"scope"`
	Category         []fhir.CodeableConcept `json:"category"`
	Patient          fhir.Reference         `json:"patient"`
	DateTime         string                 `json:"dateTime"`
	Organization     []fhir.Reference       `json:"organization"`
	SourceAttachment attachment             `json:"sourceAttachment"`
	PolicyRule       fhir.CodeableConcept   `json:"policyRule"`
	Provision        consentProvision       `json:"provision"`
}

// versionedCoding is a Coding with Coding.version, which fhir.Coding leaves
// out; the IG's Condition examples pin the US Core category code system version.
type versionedCoding struct {
	System  string `json:"system"`
	Version string `json:"version,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type versionedConcept struct {
	Coding []versionedCoding `json:"coding"`
}

type condition struct {
	ResourceType       string               `json:"resourceType"`
	ID                 string               `json:"id"`
	Meta               meta                 `json:"meta"`
	ClinicalStatus     fhir.CodeableConcept `json:"clinicalStatus"`
	VerificationStatus fhir.CodeableConcept `json:"verificationStatus"`
	Category           []versionedConcept   `json:"category"`
	Code               fhir.CodeableConcept `json:"code"`
	Subject            fhir.Reference       `json:"subject"`
	OnsetPeriod        *period              `json:"onsetPeriod,omitempty"`
	RecordedDate       string               `json:"recordedDate,omitempty"`
	Asserter           *fhir.Reference      `json:"asserter,omitempty"`
}

type goalTarget struct {
	Measure               *fhir.CodeableConcept `json:"measure,omitempty"`
	DetailCodeableConcept *fhir.CodeableConcept `json:"detailCodeableConcept,omitempty"`
	DueDate               string                `json:"dueDate,omitempty"`
}

type goal struct {
	ResourceType      string                 `json:"resourceType"`
	ID                string                 `json:"id"`
	Meta              meta                   `json:"meta"`
	LifecycleStatus   string                 `json:"lifecycleStatus"`
	AchievementStatus *fhir.CodeableConcept  `json:"achievementStatus,omitempty"`
	Category          []fhir.CodeableConcept `json:"category"`
	Description       fhir.CodeableConcept   `json:"description"`
	Subject           fhir.Reference         `json:"subject"`
	Target            []goalTarget           `json:"target,omitempty"`
	StatusDate        string                 `json:"statusDate,omitempty"`
	Addresses         []fhir.Reference       `json:"addresses,omitempty"`
}

type procedurePerformer struct {
	Actor fhir.Reference `json:"actor"`
}

type procedure struct {
	ResourceType      string               `json:"resourceType"`
	ID                string               `json:"id"`
	Meta              meta                 `json:"meta"`
	BasedOn           []fhir.Reference     `json:"basedOn"`
	Status            string               `json:"status"`
	Category          fhir.CodeableConcept `json:"category"`
	Code              fhir.CodeableConcept `json:"code"`
	Subject           fhir.Reference       `json:"subject"`
	PerformedDateTime string               `json:"performedDateTime"`
	Performer         []procedurePerformer `json:"performer,omitempty"`
	ReasonReference   []fhir.Reference     `json:"reasonReference,omitempty"`
}

type organization struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id"`
	Meta         meta                   `json:"meta"`
	Identifier   []identifier           `json:"identifier,omitempty"`
	Active       bool                   `json:"active"`
	Type         []fhir.CodeableConcept `json:"type,omitempty"`
	Name         string                 `json:"name"`
	Telecom      []contactPoint         `json:"telecom,omitempty"`
	Address      []address              `json:"address,omitempty"`
}

type practitioner struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Meta         meta         `json:"meta"`
	Identifier   []identifier `json:"identifier"`
	Active       bool         `json:"active"`
	Name         []humanName  `json:"name"`
}

type practitionerRole struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id"`
	Meta         meta                   `json:"meta"`
	Active       bool                   `json:"active"`
	Practitioner fhir.Reference         `json:"practitioner"`
	Organization fhir.Reference         `json:"organization"`
	Code         []fhir.CodeableConcept `json:"code"`
	Telecom      []contactPoint         `json:"telecom"`
}

// encoder writes compact JSON without HTML escaping: notes such as "food &
// rent" stay readable on the wire, as a FHIR server would send them.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newEncoder() *encoder {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode returns v as compact JSON in a fresh slice the caller owns.
func (e *encoder) encode(v any) json.RawMessage {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		// Only our own structs of strings, bools and slices reach here.
		panic("referralgen: " + err.Error())
	}
	b := e.buf.Bytes()
	return bytes.Clone(b[:len(b)-1]) // drop Encode's trailing newline
}
