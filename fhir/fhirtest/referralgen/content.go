package referralgen

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// Content-rich referrals (IG 3.0.0): the requester attaches what it already
// knows as Task.input entries of type SDOHCC-CodeSystemTemporaryCodes
// #additional-content (as in the IG's Task-SDOHCC-TaskContentRichReferralWIC
// example), so that the CBO sees it at intake. Here that is the screening
// that found the need, the screening-response Observation derived from it,
// the Goal, and a referral letter. The screenings are the IG's own: the
// Hunger Vital Sign for food insecurity, else the PRAPARE question about the
// need, with answers from the answer lists of the IG's Questionnaires.

const (
	profileQuestionnaireResponse = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"
	profileScreeningResponse     = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ObservationScreeningResponse"
	profileDocumentReference     = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"
	extDisplay                   = "http://hl7.org/fhir/StructureDefinition/display"
	systemLOINC                  = "http://loinc.org"
	systemObservationCategory    = "http://terminology.hl7.org/CodeSystem/observation-category"
	systemUSCoreCategory         = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
	systemDocumentCategory       = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
)

// question is one answered item of a screening, and the Observation code
// of the answer (LOINC's display of the question).
type question struct {
	loinc, text, display string
	answer               fhir.Coding
}

// screening is a questionnaire as a requester's EHR fills it in: PRAPARE
// items sit in a section (group) of the PRAPARE root item; the Hunger Vital
// Sign's are top level. The last question is the one the Observation reports.
type screening struct {
	questionnaire, title string
	section              *question // the PRAPARE section, nil for the HVS
	questions            []question
}

func loinc(code, display string) fhir.Coding {
	return fhir.Coding{System: systemLOINC, Code: code, Display: display}
}

var (
	prapare = struct{ url, title, root, rootText string }{
		"http://hl7.org/fhir/us/sdoh-clinicalcare/Questionnaire/SDOHCC-QuestionnairePRAPARE", "SDOHCC Questionnaire PRAPARE",
		"93025-5", "Protocol for Responding to and Assessing Patients' Assets, Risks, and Experiences [PRAPARE]",
	}
	familyAndHome  = &question{loinc: "93042-0", text: "Family and home"}
	moneyResources = &question{loinc: "93041-2", text: "Money and resources"}
	socialHealth   = &question{loinc: "93040-4", text: "Social and emotional health"}
	optionalItems  = &question{loinc: "93039-6", text: "Optional additional questions"}

	answerYes = loinc("LA33-6", "Yes")
	answerNo  = loinc("LA32-8", "No")

	unableToGet = func(answer fhir.Coding) question {
		return question{"93031-3", "In the past year, have you or any family members you live with been unable to get any of the following when it was really needed?",
			"Have you or any family members you live with been unable to get any of the following when it was really needed in past 1 year [PRAPARE]", answer}
	}
	prapareOn = func(section *question, q question) screening {
		return screening{prapare.url, prapare.title, section, []question{q}}
	}

	// screenings maps an SDOH category to the screening that found it.
	screenings = map[string]screening{
		"food-insecurity": {"http://hl7.org/fhir/us/sdoh-clinicalcare/Questionnaire/SDOHCC-QuestionnaireHungerVitalSign", "SDOHCC Questionnaire Hunger Vital Sign", nil, []question{
			{"88122-7", "Within the past 12 months we worried whether our food would run out before we got money to buy more",
				"Within the past 12 months we worried whether our food would run out before we got money to buy more", loinc("LA28397-0", "Often true")},
			{"88123-5", "Within the past 12 months the food we bought just didn't last and we didn't have money to get more",
				"Within the past 12 months the food we bought just didn't last and we didn't have money to get more", loinc("LA6729-3", "Sometimes true")},
			{"88124-3", "Food insecurity risk", "Food insecurity risk [HVS]", loinc("LA19952-3", "At risk")},
		}},
		"housing-instability": prapareOn(familyAndHome, question{"93033-9", "Are you worried about losing your housing?",
			"Are you worried about losing your housing [PRAPARE]", answerYes}),
		"homelessness": prapareOn(familyAndHome, question{"71802-3", "Housing status", "Housing status",
			loinc("LA30190-5", "I do not have housing (staying with others, in a hotel, in a shelter, living outside on the street, on a beach, in a car, or in a park)")}),
		"inadequate-housing": prapareOn(optionalItems, question{"93026-3", "Do you feel physically and emotionally safe where you currently live?",
			"Do you feel physically and emotionally safe where you currently live [PRAPARE]", answerNo}),
		"transportation-insecurity": prapareOn(moneyResources, question{"93030-5",
			"Has lack of transportation kept you from medical appointments, meetings, work, or from getting things needed for daily living?",
			"Has lack of transportation kept you from medical appointments, meetings, work, or from getting things needed for daily living",
			loinc("LA30133-5", "Yes, it has kept me from medical appointments or from getting my medications")}),
		"financial-insecurity": prapareOn(moneyResources, unableToGet(loinc("LA30128-5", "Medicine or Any Health Care (Medical, Dental, Mental Health, Vision)"))),
		"employment-status": prapareOn(moneyResources, question{"67875-5", "Employment status current", "Employment status - current",
			loinc("LA17956-6", "Unemployed")}),
		"educational-attainment": prapareOn(moneyResources, question{"82589-3", "Highest level of educ", "Highest level of educ",
			loinc("LA30191-3", "Less than high school degree")}),
		"social-connection": prapareOn(socialHealth, question{"93029-7",
			"How often do you see or talk to people that you care about and feel close to (For example: talking to friends on the phone, visiting friends or family, going to church or club meetings)?",
			"How often do you see or talk to people that you care about and feel close to [PRAPARE]", loinc("LA27722-0", "Less than once a week")}),
		"utility-insecurity": prapareOn(moneyResources, unableToGet(loinc("LA30124-4", "Utilities"))),
		"material-hardship":  prapareOn(moneyResources, unableToGet(loinc("LA30126-9", "Clothing"))),
		"stress": prapareOn(socialHealth, question{"93038-8",
			"Stress is when someone feels tense, nervous, anxious or can't sleep at night because their mind is troubled. How stressed are you?",
			"Stress level", loinc("LA13902-4", "Quite a bit")}),
	}

	surveyCategory = fhir.CodeableConcept{Coding: []fhir.Coding{{System: systemObservationCategory, Code: "survey", Display: "Survey"}}}
	sdohCategory   = fhir.CodeableConcept{Coding: []fhir.Coding{{System: systemUSCoreCategory, Code: "sdoh", Display: "SDOH"}}}
	referralNote   = fhir.CodeableConcept{Coding: []fhir.Coding{loinc("57133-1", "Referral note")}}
	clinicalNote   = fhir.CodeableConcept{Coding: []fhir.Coding{{System: systemDocumentCategory, Code: "clinical-note", Display: "Clinical Note"}}}
)

// richContent is what a content-rich referral adds besides its Goal.
type richContent struct {
	screening   questionnaireResponse
	observation observation
	letter      documentReference
}

// richContent builds the screening, its Observation and the referral
// letter, and lists them and the Goal in the Task's input.
func (d *draws) richContent(t *task, gl *goal) *richContent {
	sc := screenings[d.need.code]
	screened := d.at.Add(-time.Duration(1+d.content.intn(6*24)) * time.Hour).Truncate(time.Minute)
	qrID, obsID, docID := fmt.Sprintf("qr-%05d", d.i), fmt.Sprintf("obs-%05d", d.i), fmt.Sprintf("doc-%05d", d.i)
	key := sc.questions[len(sc.questions)-1]

	c := &richContent{}
	c.screening = questionnaireResponse{
		ResourceType: "QuestionnaireResponse", ID: qrID, Meta: profile(profileQuestionnaireResponse),
		Questionnaire:  sc.questionnaire,
		QuestionnaireX: &elementExtensions{Extension: []stringExtension{{URL: extDisplay, ValueString: sc.title}}},
		Status:         "completed",
		Subject:        d.subject,
		Authored:       screened.Format(instantLayout),
		Source:         &d.subject, // answered by the person, as in the IG's examples
		Item:           sc.items(),
	}
	c.observation = observation{
		ResourceType: "Observation", ID: obsID, Meta: profile(profileScreeningResponse),
		Status:               "final",
		Category:             []fhir.CodeableConcept{surveyCategory, sdohCategory, d.need.category()},
		Code:                 fhir.CodeableConcept{Coding: []fhir.Coding{loinc(key.loinc, key.display)}},
		Subject:              d.subject,
		EffectiveDateTime:    screened.Format(instantLayout),
		Performer:            []fhir.Reference{d.subject},
		ValueCodeableConcept: &fhir.CodeableConcept{Coding: []fhir.Coding{key.answer}},
		DerivedFrom:          []fhir.Reference{{Reference: "QuestionnaireResponse/" + qrID}},
	}
	letter := d.letter()
	written := d.at.Format(time.DateOnly)
	c.letter = documentReference{
		ResourceType: "DocumentReference", ID: docID, Meta: profile(profileDocumentReference),
		Status:      "current",
		Type:        referralNote,
		Category:    []fhir.CodeableConcept{clinicalNote},
		Subject:     d.subject,
		Date:        d.authored,
		Author:      []fhir.Reference{*d.req.practitionerReference()},
		Description: "Referral letter",
		Content: []documentContent{{Attachment: docAttachment{
			ContentType: "text/plain; charset=utf-8", Language: "en",
			Data: base64.StdEncoding.EncodeToString([]byte(letter)), Size: len(letter),
			Title: "Referral letter", Creation: written,
		}}},
	}

	input := func(ref, display string) taskParameter {
		return taskParameter{Type: additionalContent, ValueReference: fhir.Reference{Reference: ref, Display: display}}
	}
	t.Input = append(t.Input,
		input("QuestionnaireResponse/"+qrID, strings.TrimPrefix(sc.title, "SDOHCC Questionnaire ")+" screening"),
		input("Observation/"+obsID, key.display+": "+key.answer.Display),
		input("Goal/"+gl.ID, "Goal: "+d.aim.display),
		input("DocumentReference/"+docID, "Referral letter from "+d.req.name()),
	)
	return c
}

// items are the screening's answered items, PRAPARE's nested in their section.
func (sc screening) items() []qrItem {
	var items []qrItem
	prefix := "/"
	if sc.section != nil {
		prefix = "/" + sc.section.loinc + "/"
	}
	for _, q := range sc.questions {
		items = append(items, qrItem{LinkID: prefix + q.loinc, Text: q.text, Answer: []qrAnswer{{ValueCoding: &q.answer}}})
	}
	if sc.section == nil {
		return items
	}
	section := qrItem{LinkID: "/" + sc.section.loinc, Text: sc.section.text, Item: items}
	return []qrItem{{LinkID: "/" + prapare.root, Text: prapare.rootText, Item: []qrItem{section}}}
}

// letter is the referral letter's text: who is referred, for what, why,
// and by whom, with a line the requester adds.
func (d *draws) letter() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Referral: %s\n\n", d.svc.label())
	fmt.Fprintf(&b, "Patient: %s (date of birth %s)\n", d.who.name(), d.who.birth)
	fmt.Fprintf(&b, "Reason: %s\n", d.reasons[0].f.label())
	fmt.Fprintf(&b, "Date: %s\n\n", d.at.Format(time.DateOnly))
	fmt.Fprintf(&b, "%s\n\n", pick(d.content, d.need.notes))
	if d.dnc {
		b.WriteString("Do not contact the patient directly: please coordinate through me.\n\n")
	}
	fmt.Fprintf(&b, "Please let me know how the referral goes.\n\n%s\n%s\n%s\n", d.req.name(), d.req.org.name, d.req.phone)
	return b.String()
}

type stringExtension struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString"`
}

// elementExtensions are the extensions of a primitive element (_element).
type elementExtensions struct {
	Extension []stringExtension `json:"extension"`
}

type qrAnswer struct {
	ValueCoding *fhir.Coding `json:"valueCoding,omitempty"`
}

type qrItem struct {
	LinkID string     `json:"linkId"`
	Text   string     `json:"text,omitempty"`
	Answer []qrAnswer `json:"answer,omitempty"`
	Item   []qrItem   `json:"item,omitempty"`
}

type questionnaireResponse struct {
	ResourceType   string             `json:"resourceType"`
	ID             string             `json:"id"`
	Meta           meta               `json:"meta"`
	Questionnaire  string             `json:"questionnaire"`
	QuestionnaireX *elementExtensions `json:"_questionnaire,omitempty"`
	Status         string             `json:"status"`
	Subject        fhir.Reference     `json:"subject"`
	Authored       string             `json:"authored"`
	Source         *fhir.Reference    `json:"source,omitempty"`
	Item           []qrItem           `json:"item"`
}

type observation struct {
	ResourceType         string                 `json:"resourceType"`
	ID                   string                 `json:"id"`
	Meta                 meta                   `json:"meta"`
	Status               string                 `json:"status"`
	Category             []fhir.CodeableConcept `json:"category"`
	Code                 fhir.CodeableConcept   `json:"code"`
	Subject              fhir.Reference         `json:"subject"`
	EffectiveDateTime    string                 `json:"effectiveDateTime"`
	Performer            []fhir.Reference       `json:"performer,omitempty"`
	ValueCodeableConcept *fhir.CodeableConcept  `json:"valueCodeableConcept,omitempty"`
	DerivedFrom          []fhir.Reference       `json:"derivedFrom,omitempty"`
}

// docAttachment is an Attachment with its data inline, in R4's element order.
type docAttachment struct {
	ContentType string `json:"contentType"`
	Language    string `json:"language,omitempty"`
	Data        string `json:"data"`
	Size        int    `json:"size"`
	Title       string `json:"title"`
	Creation    string `json:"creation,omitempty"`
}

type documentContent struct {
	Attachment docAttachment `json:"attachment"`
}

type documentReference struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id"`
	Meta         meta                   `json:"meta"`
	Status       string                 `json:"status"`
	Type         fhir.CodeableConcept   `json:"type"`
	Category     []fhir.CodeableConcept `json:"category"`
	Subject      fhir.Reference         `json:"subject"`
	Date         string                 `json:"date"`
	Author       []fhir.Reference       `json:"author"`
	Description  string                 `json:"description"`
	Content      []documentContent      `json:"content"`
}
