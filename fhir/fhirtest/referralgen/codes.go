package referralgen

// The fixed codes and texts build draws on: condition states and
// categories, consent terms, goal achievements and status reasons.

import "github.com/referraldesk/referraldesk/fhir"

var (
	conditionActive = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: "http://terminology.hl7.org/CodeSystem/condition-clinical", Code: "active", Display: "Active"}}}
	conditionUnconfirmed = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: "http://terminology.hl7.org/CodeSystem/condition-ver-status", Code: "unconfirmed", Display: "Unconfirmed"}}}
	conditionConfirmed = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: "http://terminology.hl7.org/CodeSystem/condition-ver-status", Code: "confirmed", Display: "Confirmed"}}}

	consentScope = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: fhir.SystemConsentScope, Code: "patient-privacy", Display: "Privacy Consent"}}}
	consentCategory = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: fhir.SystemActCode, Code: "IDSCL", Display: "information disclosure"}}}
	hipaaAuth = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: "http://terminology.hl7.org/CodeSystem/consentpolicycodes", Code: "hipaa-auth", Display: "HIPAA Authorization"}}}
	informationRecipient = fhir.CodeableConcept{Coding: []fhir.Coding{{
		System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "IRCP", Display: "information recipient"}}}

	hungerVitalSign = fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://loinc.org", Code: "88124-3", Display: "Food insecurity risk [HVS]"}}}
	noRisk          = fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://loinc.org", Code: "LA19983-8", Display: "No risk"}}}

	achievements = func() []fhir.CodeableConcept {
		var out []fhir.CodeableConcept
		for _, a := range [][2]string{{"in-progress", "In Progress"}, {"in-progress", "In Progress"}, {"improving", "Improving"}, {"no-change", "No Change"}, {"worsening", "Worsening"}} {
			out = append(out, fhir.CodeableConcept{Coding: []fhir.Coding{{
				System: "http://terminology.hl7.org/CodeSystem/goal-achievement", Code: a[0], Display: a[1]}}})
		}
		return out
	}()
)

// conditionCategory is the IG example's three categories: US Core health
// concern, US Core SDOH, and the SDOH domain.
func conditionCategory(n *need) []versionedConcept {
	return []versionedConcept{
		{Coding: []versionedCoding{{System: "http://hl7.org/fhir/us/core/CodeSystem/condition-category", Code: "health-concern", Display: "Health Concern"}}},
		{Coding: []versionedCoding{{System: "http://hl7.org/fhir/us/core/CodeSystem/us-core-category", Version: "7.0.0", Code: "sdoh", Display: "SDOH"}}},
		{Coding: []versionedCoding{{System: fhir.SystemSDOHTemporary, Code: n.code, Display: n.display}}},
	}
}

var contactNotes = []string{
	"Prefers afternoon calls.",
	"Prefers text messages over phone calls.",
	"Works nights; best reached before noon.",
	"Call the cell phone, not the home phone.",
	"Hard of hearing; e-mail or text preferred.",
	"Prefers to meet in person at the clinic.",
	"Please do not mention the clinic name in voicemails.",
	"Has a dog; prefers to meet outside the home.",
}

var doNotContactNotes = []string{
	"Do not contact the patient directly (safety concern). Coordinate through the referring social worker.",
	"Patient will call your office; do not call, text or e-mail.",
	"Safety plan in place: do not send mail or leave messages at home.",
}

type statusText struct {
	text       string
	noCapacity bool // IG 3.0.0: a rejection because the program is full
}

// Task.statusReason.text SHOULD be given for these statuses (IG, Task for
// Referral Management); the other statuses carry none.
var statusReasons = map[string][]statusText{
	fhir.StatusRejected: {
		{"At capacity: not taking new households until next month", true},
		{"Client lives outside our service area", false},
		{"Service not offered at this location", false},
		{"Not eligible: household income above the program limit", false},
	},
	fhir.StatusCancelled: {
		{"Client declined the service", false},
		{"Need met by another organization", false},
		{"Duplicate referral", false},
		{"Client moved out of the area", false},
	},
	fhir.StatusOnHold: {
		{"Waiting for the client to bring proof of address", false},
		{"Client in hospital; resume after discharge", false},
		{"Waitlisted: next opening expected in three weeks", false},
		{"Waiting for paperwork from the landlord", false},
	},
	fhir.StatusFailed: {
		{"Unable to reach the client after three attempts", false},
		{"Client missed two scheduled appointments", false},
		{"Program funding ended before enrollment", false},
	},
	fhir.StatusEnteredInError: {
		{"Referral entered for the wrong patient", false},
	},
}

var noCapacity = fhir.Coding{System: fhir.SystemSDOHTemporary, Code: "no-capacity", Display: "No Capacity"}

func statusReason(status string, r *rnd) *fhir.CodeableConcept {
	texts := statusReasons[status]
	if len(texts) == 0 {
		return nil
	}
	s := pick(r, texts)
	c := &fhir.CodeableConcept{Text: s.text}
	if s.noCapacity {
		c.Coding = []fhir.Coding{noCapacity}
	}
	return c
}
