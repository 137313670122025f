package fhir

import (
	"cmp"
	"fmt"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Description is what a resource says about itself in a line or two, for
// material a requester sent with a referral (IG 3.0.0 content-rich
// referrals): labs, screening answers, assessments, goals, documents. It
// reads the elements most resource types share, and leaves empty what a
// type does not have.
type Description struct {
	Kind   string // the resource type, in words: "Observation", "Screening answers"…
	Title  string // its code, description or title
	Detail string // its value, answers or attachment
	Date   string // when it was observed, given or written
}

// summary holds the elements Describe reads; those whose type differs
// between resource types are read as they are, then as either.
type summary struct {
	Code          *CodeableConcept `json:"code"`
	VaccineCode   *CodeableConcept `json:"vaccineCode"`
	Type          *CodeableConcept `json:"type"`
	Description   jsontext.Value   `json:"description"` // Goal: a concept; DocumentReference: text
	Title         string           `json:"title"`
	Questionnaire string           `json:"questionnaire"`
	Item          []jsontext.Value `json:"item"`
	ValueQuantity *struct {
		Value jsontext.Value `json:"value"`
		Unit  string         `json:"unit"`
	} `json:"valueQuantity"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept"`
	ValueString          string           `json:"valueString"`
	Component            []jsontext.Value `json:"component"`
	Content              []struct {
		Attachment struct {
			Title       string `json:"title"`
			ContentType string `json:"contentType"`
		} `json:"attachment"`
	} `json:"content"`
	Effective string `json:"effectiveDateTime"`
	Performed string `json:"performedDateTime"`
	Occurred  string `json:"occurrenceDateTime"`
	Authored  string `json:"authored"`
	Date      string `json:"date"`
	Start     string `json:"startDate"`
}

// Describe says what r is. A resource whose elements have unexpected shapes
// is still named by its type, with what could be read.
func Describe(r Resource) Description {
	var s summary
	jsonv2.Unmarshal(r.Raw, &s, lenient) // what does not read stays empty
	d := Description{Kind: kindName(r.Type), Date: cmp.Or(s.Effective, s.Performed, s.Occurred, s.Authored, s.Date, s.Start)}
	d.Title = cmp.Or(label(s.Code), label(s.VaccineCode), describedBy(s.Description), s.Title, label(s.Type))
	switch {
	case s.ValueQuantity != nil:
		d.Detail = strings.TrimSpace(string(s.ValueQuantity.Value) + " " + s.ValueQuantity.Unit)
	case s.ValueCodeableConcept != nil:
		d.Detail = s.ValueCodeableConcept.Label()
	case s.ValueString != "":
		d.Detail = s.ValueString
	case len(s.Component) > 0:
		d.Detail = count(len(s.Component), "part")
	case r.Type == "QuestionnaireResponse":
		d.Detail = count(len(s.Item), "answer")
		d.Title = cmp.Or(d.Title, s.Questionnaire)
	case len(s.Content) > 0:
		a := s.Content[0].Attachment
		d.Detail = cmp.Or(a.Title, a.ContentType)
	}
	if d.Title == "" {
		d.Title = r.Ref()
	}
	return d
}

// kindName is a resource type in a case worker's words, where it differs.
func kindName(typ string) string {
	switch typ {
	case "QuestionnaireResponse":
		return "Screening answers"
	case "DocumentReference":
		return "Document"
	case "Observation":
		return "Observation or result"
	}
	return typ
}

// count is "1 answer", "2 answers".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func label(c *CodeableConcept) string {
	if c == nil {
		return ""
	}
	return c.Label()
}

// describedBy reads a description that is a concept (Goal) or text.
func describedBy(v jsontext.Value) string {
	var c CodeableConcept
	if jsonv2.Unmarshal(v, &c, lenient) == nil && c.Label() != "" {
		return c.Label()
	}
	var s string
	jsonv2.Unmarshal(v, &s, lenient)
	return s
}
