package referralgen

import (
	"fmt"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

const (
	profileCondition = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Condition"
	profileGoal      = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Goal"
	extPertainsGoal  = "http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal"
	codeAdditional   = "additional-content" // IG 3.0.0 Task.input: material to show at intake
	instantLayout    = "2006-01-02T15:04:05.000Z"
)

// referral is one generated referral before encoding.
type referral struct {
	task           task
	serviceRequest serviceRequest
	patient        *patient // nil when an earlier referral introduced the patient
	consent        *consent
	conditions     []condition
	goal           *goal
	procedure      *procedure
}

var (
	fulfillCode  = fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemTaskCode, Code: fhir.CodeFulfill, Display: "Fulfill the focal request"}}}
	socialCare   = fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSNOMED, Code: sctSocialService, Display: sctSocialServiceName}}}
	doNotContact = fhir.CodeableConcept{
		Coding: []fhir.Coding{{System: fhir.SystemSDOHTemporary, Code: fhir.CodeContactProhibited, Display: "Contacting Subject Prohibited"}},
		Text:   "Do not contact the patient",
	}
	resultingActivity = fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSDOHTemporary, Code: fhir.CodeResultingActivity, Display: "Resulting Activity"}}}
	additionalContent = fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSDOHTemporary, Code: codeAdditional}}}
)

func (g *Generator) build(i int, authoredOn time.Time, spec Spec) referral {
	at := authoredOn.UTC()
	authored := at.Format(instantLayout)
	ids := struct{ task, sr, consent, goal, proc string }{
		fmt.Sprintf("task-%05d", i), fmt.Sprintf("sr-%05d", i), fmt.Sprintf("consent-%05d", i),
		fmt.Sprintf("goal-%05d", i), fmt.Sprintf("proc-%05d", i),
	}

	owner := g.owner(i, spec)
	status := g.status(i, spec, owner)
	priority := g.priority(i, spec)
	dnc := decide(spec.DoNotContact, g.rnd(i, streamContact), 50)
	cr := g.rnd(i, streamConsent)
	noConsent := decide(spec.NoConsent, cr, 150)
	consentInactive := cr.permille(100)

	req := &requesters[weighted(g.rnd(i, streamRequester), requesterWeights)]
	pi := g.patientIndex(i)
	who := newPerson(g.seed, g.born, pi)

	// What the person needs, the service asked for, why, and the goal.
	nr := g.rnd(i, streamNeed)
	n := &needs[weighted(nr, needWeights)]
	svc := pick(nr, n.services)
	type reason struct {
		need *need
		f    finding
	}
	reasons := []reason{{n, pick(nr, n.findings)}}
	if nr.permille(300) {
		n2 := needByCode[pick(nr, n.related)]
		reasons = append(reasons, reason{n2, pick(nr, n2.findings)})
	}
	hasGoal := nr.permille(400)
	aim := pick(nr, n.outcomes)
	achievement := pick(nr, achievements)
	confirmed := nr.permille(400)
	selfReported := nr.permille(500)

	dr := g.rnd(i, streamDates)
	notes := g.rnd(i, streamNotes)

	b := referral{}
	subject := who.reference()

	// Conditions: the health concerns the referral addresses.
	var reasonRefs []fhir.Reference
	for k, rs := range reasons {
		id := fmt.Sprintf("cond-%05d-%d", i, k+1)
		onset := at.AddDate(0, 0, -7-dr.intn(400))
		c := condition{
			ResourceType: "Condition", ID: id, Meta: profile(profileCondition),
			ClinicalStatus:     conditionActive,
			VerificationStatus: conditionUnconfirmed,
			Category:           conditionCategory(rs.need),
			Code:               rs.f.concept(),
			Subject:            subject,
			OnsetPeriod:        &period{Start: onset.Format(time.DateOnly)},
			RecordedDate:       at.AddDate(0, 0, -dr.intn(4)).Format(time.DateOnly),
		}
		if confirmed {
			c.VerificationStatus = conditionConfirmed
		}
		if selfReported {
			ref := subject
			c.Asserter = &ref
		} else {
			ref := req.roleReference()
			c.Asserter = &ref
		}
		b.conditions = append(b.conditions, c)
		reasonRefs = append(reasonRefs, fhir.Reference{Reference: "Condition/" + id, Display: rs.f.label()})
	}

	// Goal: what the person and the requester want to achieve.
	if hasGoal {
		gl := goal{
			ResourceType: "Goal", ID: ids.goal, Meta: profile(profileGoal),
			LifecycleStatus:   "active",
			AchievementStatus: &achievement,
			Category:          []fhir.CodeableConcept{n.category()},
			Description:       fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSNOMED, Code: aim.code, Display: aim.display}}},
			Subject:           subject,
			Target:            []goalTarget{{DueDate: at.AddDate(0, 0, 90).Format(time.DateOnly)}},
			StatusDate:        at.Format(time.DateOnly),
			Addresses:         reasonRefs,
		}
		if aim.code == "1078229009" { // food security: measured by the Hunger Vital Sign, as in the IG example
			gl.Target[0].Measure = &hungerVitalSign
			gl.Target[0].DetailCodeableConcept = &noRisk
		}
		b.goal = &gl
	}

	// Consent to share the person's information with community partners.
	if !noConsent {
		signed := at.AddDate(0, 0, -dr.intn(11))
		st := "active"
		if consentInactive { // an authorization that has run out
			signed = at.AddDate(0, 0, -380-dr.intn(340))
			st = "inactive"
		}
		b.consent = &consent{
			ResourceType: "Consent", ID: ids.consent, Meta: profile(fhir.ProfileConsent),
			Status:       st,
			Scope:        consentScope,
			Category:     []fhir.CodeableConcept{consentCategory},
			Patient:      subject,
			DateTime:     signed.Format(time.DateOnly),
			Organization: []fhir.Reference{req.org.reference()},
			SourceAttachment: attachment{
				ContentType: "application/pdf", Language: "en",
				Title:    "Authorization to share social needs information with community partners",
				Creation: signed.Format(time.DateOnly),
			},
			PolicyRule: hipaaAuth,
			Provision: consentProvision{
				Type:   "permit",
				Period: period{Start: signed.Format(time.DateOnly), End: signed.AddDate(1, 0, 0).Format(time.DateOnly)},
				Actor:  []consentActor{{Role: informationRecipient, Reference: platform.reference()}},
			},
		}
	}

	// The ServiceRequest: what is asked for.
	sr := serviceRequest{
		ResourceType: "ServiceRequest", ID: ids.sr, Meta: profile(fhir.ProfileServiceRequest),
		Status:          "active",
		Intent:          "order",
		Category:        []fhir.CodeableConcept{socialCare, n.category()},
		Priority:        priority,
		Code:            svc.concept(),
		Subject:         subject,
		AuthoredOn:      authored,
		Requester:       req.roleReference(),
		ReasonReference: reasonRefs,
	}
	if b.goal != nil {
		sr.Extension = []extension{{URL: extPertainsGoal, ValueReference: &fhir.Reference{Reference: "Goal/" + ids.goal, Display: aim.display}}}
	}
	if dnc {
		sr.OrderDetail = []fhir.CodeableConcept{doNotContact}
	}
	if dr.permille(350) {
		sr.OccurrencePeriod = &period{Start: at.Format(time.DateOnly), End: at.AddDate(0, 0, 30*(1+dr.intn(3))).Format(time.DateOnly)}
	}
	if b.consent != nil {
		sr.SupportingInfo = []fhir.Reference{{Reference: "Consent/" + ids.consent, Display: "Consent to share information"}}
	}
	if notes.permille(450) {
		sr.Note = []annotation{{AuthorReference: req.practitionerReference(), Time: authored, Text: pick(notes, n.notes)}}
	}
	b.serviceRequest = sr

	// The Task: the referral as the CBO works it.
	t := task{
		ResourceType: "Task", ID: ids.task, Meta: profile(fhir.ProfileReferralTask),
		Status:     status,
		Intent:     "order",
		Priority:   priority,
		Code:       fulfillCode,
		Focus:      fhir.Reference{Reference: "ServiceRequest/" + ids.sr, Display: svc.label()},
		For:        subject,
		AuthoredOn: authored,
		Requester:  req.roleReference(),
	}
	if owner != "" {
		t.Owner = &fhir.Reference{Reference: owner, Display: displayFor(owner)}
	}
	t.StatusReason = statusReason(status, g.rnd(i, streamReason))
	wantsNote := notes.permille(300)
	contact := pick(notes, contactNotes)
	if who.language != "en" && notes.permille(500) {
		contact = "Prefers " + languageNames[who.language] + "; please use an interpreter."
	}
	switch {
	case dnc:
		t.Note = []annotation{{AuthorReference: req.practitionerReference(), Time: authored, Text: pick(notes, doNotContactNotes)}}
	case wantsNote:
		t.Note = []annotation{{AuthorReference: req.practitionerReference(), Time: authored, Text: contact}}
	}
	if g.rnd(i, streamExtras).permille(50) {
		t.Input = []taskParameter{{Type: additionalContent, ValueReference: fhir.Reference{
			Reference: reasonRefs[0].Reference, Display: reasons[0].f.label() + " (health concern)"}}}
	}

	// A completed referral says what was done: the Procedure it references.
	if status == fhir.StatusCompleted {
		p := procedure{
			ResourceType: "Procedure", ID: ids.proc, Meta: profile(fhir.ProfileProcedure),
			BasedOn:  []fhir.Reference{{Reference: "ServiceRequest/" + ids.sr}},
			Status:   "completed",
			Category: fhir.CodeableConcept{Coding: []fhir.Coding{socialCare.Coding[0], n.category().Coding[0]}},
			Code:     fhir.CodeableConcept{Coding: svc.concept().Coding},
			Subject:  subject,
			// A date, as in the IG's Procedure examples. The generator has no
			// clock, and the platform stamps the referral as last updated at
			// authoredOn: a later date could lie in the demo's future.
			PerformedDateTime: at.Format(time.DateOnly),
			ReasonReference:   reasonRefs,
		}
		if owner != "" {
			p.Performer = []procedurePerformer{{Actor: *t.Owner}}
		}
		b.procedure = &p
		t.Output = []taskParameter{{Type: resultingActivity, ValueReference: fhir.Reference{
			Reference: "Procedure/" + ids.proc, Display: svc.display}}}
	}
	b.task = t

	if pi == i {
		p := who.resource()
		b.patient = &p
	}
	return b
}

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
