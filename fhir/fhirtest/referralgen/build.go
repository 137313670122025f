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
	content        *richContent // content-rich referrals only
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

// reason is one health concern a referral addresses: the need it belongs to
// and the finding that shows it.
type reason struct {
	need *need
	f    finding
}

// draws are a referral's decisions, drawn from its streams before anything
// is built: each resource below reads them, and the streams they share
// (dates, notes) are drawn in the order the resources are built.
type draws struct {
	i                   int
	at                  time.Time
	authored            string
	ids                 struct{ task, sr, consent, goal, proc string }
	owner, status, prio string
	dnc                 bool
	noConsent, inactive bool
	req                 *clinician
	who                 person
	subject             fhir.Reference
	need                *need
	svc                 service
	reasons             []reason
	hasGoal, confirmed  bool
	selfReported        bool
	aim                 outcome
	achievement         fhir.CodeableConcept
	dates, notes        *rnd
	rich                bool // content-rich (IG 3.0.0)
	content             *rnd // what a content-rich referral carries
}

func (g *Generator) build(i int, authoredOn time.Time, spec Spec) referral {
	d := g.draw(i, authoredOn, spec)
	b := referral{}
	var reasonRefs []fhir.Reference
	b.conditions, reasonRefs = d.conditions()
	b.goal = d.goal(reasonRefs)
	b.consent = d.consent()
	b.serviceRequest = d.serviceRequest(reasonRefs, b.goal != nil, b.consent != nil)
	b.task = d.task(g.rnd(i, streamReason), g.rnd(i, streamExtras), reasonRefs)
	if d.status == fhir.StatusCompleted {
		b.procedure = d.procedure(&b.task, reasonRefs)
	}
	if d.rich {
		if b.goal == nil {
			b.goal = d.newGoal(reasonRefs) // referenced from Task.input only: the ServiceRequest stays as it was
		}
		b.content = d.richContent(&b.task, b.goal)
	}
	if g.patientIndex(i) == i {
		p := d.who.resource()
		b.patient = &p
	}
	return b
}

// draw makes a referral's decisions.
func (g *Generator) draw(i int, authoredOn time.Time, spec Spec) *draws {
	d := &draws{i: i, at: authoredOn.UTC()}
	d.authored = d.at.Format(instantLayout)
	d.ids.task, d.ids.sr, d.ids.consent = fmt.Sprintf("task-%05d", i), fmt.Sprintf("sr-%05d", i), fmt.Sprintf("consent-%05d", i)
	d.ids.goal, d.ids.proc = fmt.Sprintf("goal-%05d", i), fmt.Sprintf("proc-%05d", i)

	d.owner = g.owner(i, spec)
	d.status = g.status(i, spec, d.owner)
	d.prio = g.priority(i, spec)
	d.dnc = decide(spec.DoNotContact, g.rnd(i, streamContact), 50)
	cr := g.rnd(i, streamConsent)
	d.noConsent = decide(spec.NoConsent, cr, 150)
	d.inactive = cr.permille(100)

	d.req = &requesters[weighted(g.rnd(i, streamRequester), requesterWeights)]
	d.who = newPerson(g.seed, g.born, g.patientIndex(i))
	d.subject = d.who.reference()

	// What the person needs, the service asked for, why, and the goal.
	nr := g.rnd(i, streamNeed)
	d.need = &needs[weighted(nr, needWeights)]
	d.svc = pick(nr, d.need.services)
	d.reasons = []reason{{d.need, pick(nr, d.need.findings)}}
	if nr.permille(300) {
		n2 := needByCode[pick(nr, d.need.related)]
		d.reasons = append(d.reasons, reason{n2, pick(nr, n2.findings)})
	}
	d.hasGoal = nr.permille(400)
	d.aim = pick(nr, d.need.outcomes)
	d.achievement = pick(nr, achievements)
	d.confirmed = nr.permille(400)
	d.selfReported = nr.permille(500)

	d.dates = g.rnd(i, streamDates)
	d.notes = g.rnd(i, streamNotes)

	// Drawn whatever the Spec says, so that ContentSome and ContentAll give
	// a referral they both make content-rich the same content.
	d.content = g.rnd(i, streamContent)
	some := d.content.permille(500)
	d.rich = spec.AdditionalContent == ContentAll || (spec.AdditionalContent == ContentSome && some)
	return d
}

// conditions are the health concerns the referral addresses.
func (d *draws) conditions() ([]condition, []fhir.Reference) {
	var out []condition
	var refs []fhir.Reference
	for k, rs := range d.reasons {
		id := fmt.Sprintf("cond-%05d-%d", d.i, k+1)
		onset := d.at.AddDate(0, 0, -7-d.dates.intn(400))
		c := condition{
			ResourceType: "Condition", ID: id, Meta: profile(profileCondition),
			ClinicalStatus:     conditionActive,
			VerificationStatus: conditionUnconfirmed,
			Category:           conditionCategory(rs.need),
			Code:               rs.f.concept(),
			Subject:            d.subject,
			OnsetPeriod:        &period{Start: onset.Format(time.DateOnly)},
			RecordedDate:       d.at.AddDate(0, 0, -d.dates.intn(4)).Format(time.DateOnly),
		}
		if d.confirmed {
			c.VerificationStatus = conditionConfirmed
		}
		asserter := d.req.roleReference()
		if d.selfReported {
			asserter = d.subject
		}
		c.Asserter = &asserter
		out = append(out, c)
		refs = append(refs, fhir.Reference{Reference: "Condition/" + id, Display: rs.f.label()})
	}
	return out, refs
}

// goal is what the person and the requester want to achieve, if any.
func (d *draws) goal(addresses []fhir.Reference) *goal {
	if !d.hasGoal {
		return nil
	}
	return d.newGoal(addresses)
}

// newGoal is the referral's Goal, whether or not the requester linked it.
func (d *draws) newGoal(addresses []fhir.Reference) *goal {
	achievement := d.achievement
	gl := goal{
		ResourceType: "Goal", ID: d.ids.goal, Meta: profile(profileGoal),
		LifecycleStatus:   "active",
		AchievementStatus: &achievement,
		Category:          []fhir.CodeableConcept{d.need.category()},
		Description:       fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSNOMED, Code: d.aim.code, Display: d.aim.display}}},
		Subject:           d.subject,
		Target:            []goalTarget{{DueDate: d.at.AddDate(0, 0, 90).Format(time.DateOnly)}},
		StatusDate:        d.at.Format(time.DateOnly),
		Addresses:         addresses,
	}
	if d.aim.code == "1078229009" { // food security: measured by the Hunger Vital Sign, as in the IG example
		gl.Target[0].Measure = &hungerVitalSign
		gl.Target[0].DetailCodeableConcept = &noRisk
	}
	return &gl
}

// consent to share the person's information with community partners, if any.
func (d *draws) consent() *consent {
	if d.noConsent {
		return nil
	}
	signed := d.at.AddDate(0, 0, -d.dates.intn(11))
	st := "active"
	if d.inactive { // an authorization that has run out
		signed = d.at.AddDate(0, 0, -380-d.dates.intn(340))
		st = "inactive"
	}
	return &consent{
		ResourceType: "Consent", ID: d.ids.consent, Meta: profile(fhir.ProfileConsent),
		Status:       st,
		Scope:        consentScope,
		Category:     []fhir.CodeableConcept{consentCategory},
		Patient:      d.subject,
		DateTime:     signed.Format(time.DateOnly),
		Organization: []fhir.Reference{d.req.org.reference()},
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

// serviceRequest is what is asked for.
func (d *draws) serviceRequest(reasonRefs []fhir.Reference, hasGoal, hasConsent bool) serviceRequest {
	sr := serviceRequest{
		ResourceType: "ServiceRequest", ID: d.ids.sr, Meta: profile(fhir.ProfileServiceRequest),
		Status:          "active",
		Intent:          "order",
		Category:        []fhir.CodeableConcept{socialCare, d.need.category()},
		Priority:        d.prio,
		Code:            d.svc.concept(),
		Subject:         d.subject,
		AuthoredOn:      d.authored,
		Requester:       d.req.roleReference(),
		ReasonReference: reasonRefs,
	}
	if hasGoal {
		sr.Extension = []extension{{URL: extPertainsGoal, ValueReference: &fhir.Reference{Reference: "Goal/" + d.ids.goal, Display: d.aim.display}}}
	}
	if d.dnc {
		sr.OrderDetail = []fhir.CodeableConcept{doNotContact}
	}
	if d.dates.permille(350) {
		sr.OccurrencePeriod = &period{Start: d.at.Format(time.DateOnly), End: d.at.AddDate(0, 0, 30*(1+d.dates.intn(3))).Format(time.DateOnly)}
	}
	if hasConsent {
		sr.SupportingInfo = []fhir.Reference{{Reference: "Consent/" + d.ids.consent, Display: "Consent to share information"}}
	}
	if d.notes.permille(450) {
		sr.Note = []annotation{{AuthorReference: d.req.practitionerReference(), Time: d.authored, Text: pick(d.notes, d.need.notes)}}
	}
	return sr
}

// task is the referral as the CBO works it.
func (d *draws) task(reasons, extras *rnd, reasonRefs []fhir.Reference) task {
	t := task{
		ResourceType: "Task", ID: d.ids.task, Meta: profile(fhir.ProfileReferralTask),
		Status:     d.status,
		Intent:     "order",
		Priority:   d.prio,
		Code:       fulfillCode,
		Focus:      fhir.Reference{Reference: "ServiceRequest/" + d.ids.sr, Display: d.svc.label()},
		For:        d.subject,
		AuthoredOn: d.authored,
		Requester:  d.req.roleReference(),
	}
	if d.owner != "" {
		t.Owner = &fhir.Reference{Reference: d.owner, Display: displayFor(d.owner)}
	}
	t.StatusReason = statusReason(d.status, reasons)
	wantsNote := d.notes.permille(300)
	contact := pick(d.notes, contactNotes)
	if d.who.language != "en" && d.notes.permille(500) {
		contact = "Prefers " + languageNames[d.who.language] + "; please use an interpreter."
	}
	switch {
	case d.dnc:
		t.Note = []annotation{{AuthorReference: d.req.practitionerReference(), Time: d.authored, Text: pick(d.notes, doNotContactNotes)}}
	case wantsNote:
		t.Note = []annotation{{AuthorReference: d.req.practitionerReference(), Time: d.authored, Text: contact}}
	}
	if extras.permille(50) {
		t.Input = []taskParameter{{Type: additionalContent, ValueReference: fhir.Reference{
			Reference: reasonRefs[0].Reference, Display: d.reasons[0].f.label() + " (health concern)"}}}
	}
	return t
}

// procedure is what a completed referral says was done; the Task's output
// references it.
func (d *draws) procedure(t *task, reasonRefs []fhir.Reference) *procedure {
	p := procedure{
		ResourceType: "Procedure", ID: d.ids.proc, Meta: profile(fhir.ProfileProcedure),
		BasedOn:  []fhir.Reference{{Reference: "ServiceRequest/" + d.ids.sr}},
		Status:   "completed",
		Category: fhir.CodeableConcept{Coding: []fhir.Coding{socialCare.Coding[0], d.need.category().Coding[0]}},
		Code:     fhir.CodeableConcept{Coding: d.svc.concept().Coding},
		Subject:  d.subject,
		// A date, as in the IG's Procedure examples. The platform stamps the
		// referral as last updated at authoredOn: a later date could lie in
		// the demo's future.
		PerformedDateTime: d.at.Format(time.DateOnly),
		ReasonReference:   reasonRefs,
	}
	if d.owner != "" {
		p.Performer = []procedurePerformer{{Actor: *t.Owner}}
	}
	t.Output = []taskParameter{{Type: resultingActivity, ValueReference: fhir.Reference{
		Reference: "Procedure/" + d.ids.proc, Display: d.svc.display}}}
	return &p
}
