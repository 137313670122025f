// Package referralgen generates realistic SDOH referrals for the built-in demo
// platform: FHIR R4 resources shaped like the SDOH Clinical Care IG (2.3.0 and
// 3.0.0) examples, built entirely in code so the shipped application needs no
// data files.
//
// Output is deterministic in (seed, referral number, Spec): the same call
// always returns the same bytes, whatever else was generated before, so a
// demo database can be rebuilt exactly and tests can name a referral by its
// number. A Generator holds no mutable state and is safe for concurrent use.
package referralgen

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// The demo's fixed parties. Directory returns a resource for each.
const (
	// OwnerOrganization is the demo CBO, "Eastside Community Services" (food bank, housing help, job centre).
	OwnerOrganization = "Organization/cbo-eastside"
	// OtherOrganization is another CBO, "Westside Legal Aid", that owns some referrals.
	OtherOrganization = "Organization/cbo-westside"
	// CoordinationPlatform is the organization running the referral platform.
	CoordinationPlatform = "Organization/coordination-platform"
	// CaseWorkerRole is the demo case worker's role; its organization is OwnerOrganization.
	CaseWorkerRole = "PractitionerRole/cbo-eastside-caseworker"
	// CaseWorker is the demo case worker.
	CaseWorker = "Practitioner/cbo-eastside-caseworker"
)

// OwnerNone in Spec.Owner asks for an unowned Task (no Task.owner), the kind
// a CBO finds with Task?owner:missing=true.
const OwnerNone = "none"

// Spec pins aspects of a referral; zero values leave them to the generator.
type Spec struct {
	Status       string // Task.status; "" = generator's choice
	Owner        string // "" = generator's choice; OwnerNone = unowned; else a reference such as OwnerOrganization
	Priority     string // routine | urgent | asap; "" = generator's choice
	DoNotContact *bool  // ServiceRequest.orderDetail contacting-subject-prohibited; nil = generator's choice (~5 %)
	NoConsent    *bool  // no Consent in ServiceRequest.supportingInfo; nil = generator's choice (~15 %)
	// AdditionalContent asks for content-rich referrals (IG 3.0.0); the zero
	// value gives the referrals this package always gave.
	AdditionalContent Content
}

// Content says which referrals are content-rich (IG 3.0.0 "Content-rich
// referrals"): their Task.input has entries of type additional-content
// referencing a screening QuestionnaireResponse, the screening-response
// Observation derived from it, a Goal and a DocumentReference (a referral
// letter with a small text attachment), which the referral also returns.
// Whatever it says, the rest of the referral stays as without it.
type Content int

const (
	// ContentDefault (the zero value) adds nothing: as before content-rich
	// referrals, about 5 % of Tasks carry their Condition as additional content.
	ContentDefault Content = iota
	// ContentSome makes about half of the referrals content-rich.
	ContentSome
	// ContentAll makes every referral content-rich.
	ContentAll
)

// Generator generates referrals from a seed.
type Generator struct {
	seed int64
	born time.Time // the anchor birth dates count back from
}

// New returns a generator; the same seed gives the same referrals, with the
// same birth dates whenever it runs.
func New(seed int64) *Generator { return &Generator{seed: seed, born: birthAnchor} }

// NewAt returns a generator whose people have the same ages on today's date
// as New's have on 2 November 2026: a platform that generates its referrals
// relative to its clock keeps ages consistent with those dates.
func NewAt(seed int64, today time.Time) *Generator {
	y, m, d := today.UTC().Date()
	return &Generator{seed: seed, born: time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(-anchorBefore)}
}

// Directory returns the fixed resources referrals point at: the two CBOs, the
// coordination platform, five requesting clinics with their Practitioners and
// PractitionerRoles (with phone and e-mail, so a case worker can reach them),
// and the demo case worker's Practitioner and PractitionerRole. Organizations
// come first, then Practitioners, then PractitionerRoles. It does not depend
// on the seed. The caller owns the returned slices.
func (g *Generator) Directory() []json.RawMessage {
	dir := directory()
	out := make([]json.RawMessage, len(dir))
	for i, r := range dir {
		out[i] = append(json.RawMessage(nil), r...)
	}
	return out
}

// Distribution of Task.status for owned referrals when the Spec leaves it
// open, in permille. "received" is the legacy status servers before IG 2.1.0
// still send: readers must cope with it.
var (
	statusNames   = []string{fhir.StatusRequested, fhir.StatusReceived, fhir.StatusAccepted, fhir.StatusInProgress, fhir.StatusOnHold, fhir.StatusCompleted, fhir.StatusRejected, fhir.StatusCancelled, fhir.StatusFailed}
	statusPermill = []int{494, 6, 150, 150, 50, 100, 20, 20, 10}
)

// Referral returns referral number i (i >= 1), authored at authoredOn:
//
//   - the Task ("task-%05d"), always first;
//   - its ServiceRequest ("sr-%05d");
//   - the Patient ("pat-%05d"), unless the referral reuses the patient of an
//     earlier referral (about 12 %), whose Patient that referral returned;
//   - the Consent ("consent-%05d"), unless there is none (about 15 %);
//   - one or two Conditions ("cond-%05d-1", "cond-%05d-2");
//   - a Goal ("goal-%05d") for about 40 %;
//   - for completed Tasks, the Procedure ("proc-%05d") its output references;
//   - for content-rich referrals (Spec.AdditionalContent), the screening
//     QuestionnaireResponse ("qr-%05d"), its Observation ("obs-%05d") and the
//     referral letter's DocumentReference ("doc-%05d"), after a Goal
//     ("goal-%05d") in its place above if the referral had none.
//
// Resources carry no meta.versionId or meta.lastUpdated: the platform sets them.
func (g *Generator) Referral(i int, authoredOn time.Time, spec Spec) []json.RawMessage {
	if i < 1 {
		panic(fmt.Sprintf("referralgen: referral number %d; numbers start at 1", i))
	}
	b := g.build(i, authoredOn, spec)
	e := newEncoder()
	out := []json.RawMessage{e.encode(b.task), e.encode(b.serviceRequest)}
	if b.patient != nil {
		out = append(out, e.encode(b.patient))
	}
	if b.consent != nil {
		out = append(out, e.encode(b.consent))
	}
	for _, c := range b.conditions {
		out = append(out, e.encode(c))
	}
	if b.goal != nil {
		out = append(out, e.encode(b.goal))
	}
	if b.procedure != nil {
		out = append(out, e.encode(b.procedure))
	}
	if c := b.content; c != nil {
		out = append(out, e.encode(c.screening), e.encode(c.observation), e.encode(c.letter))
	}
	return out
}

// patientIndex is the referral that introduced the patient of referral i.
// About 12 % of referrals are for someone referred in the previous 250
// referrals; following the chain back always ends, since each step goes back.
func (g *Generator) patientIndex(i int) int {
	for i > 1 {
		r := newRnd(g.seed, i, streamPatientLink)
		if r.intn(100) >= 12 {
			break
		}
		i -= 1 + r.intn(min(i-1, 250))
	}
	return i
}

func (g *Generator) rnd(i int, stream uint64) *rnd {
	r := newRnd(g.seed, i, stream)
	return &r
}

// owner decides Task.owner: the demo CBO ~80 %, nobody ~10 %, the other CBO
// ~10 %. A Task forced to a status past "requested" is always owned: someone
// must have accepted it.
func (g *Generator) owner(i int, spec Spec) string {
	switch spec.Owner {
	case "":
	case OwnerNone:
		return ""
	default:
		return spec.Owner
	}
	d := g.rnd(i, streamOwner).intn(1000)
	switch {
	case d < 800:
		return OwnerOrganization
	case d < 900:
		if spec.Status != "" && spec.Status != fhir.StatusRequested && spec.Status != fhir.StatusDraft {
			return OwnerOrganization
		}
		return ""
	default:
		return OtherOrganization
	}
}

func (g *Generator) status(i int, spec Spec, owner string) string {
	if spec.Status != "" {
		return spec.Status
	}
	d := g.rnd(i, streamStatus).intn(1000)
	if owner == "" {
		return fhir.StatusRequested
	}
	return statusNames[band(d, statusPermill)]
}

// priority: routine ~70 %, urgent ~20 %, asap ~10 %.
func (g *Generator) priority(i int, spec Spec) string {
	if spec.Priority != "" {
		return spec.Priority
	}
	switch d := g.rnd(i, streamPriority).intn(100); {
	case d < 70:
		return "routine"
	case d < 90:
		return "urgent"
	default:
		return "asap"
	}
}

func decide(forced *bool, r *rnd, permille int) bool {
	d := r.permille(permille)
	if forced != nil {
		return *forced
	}
	return d
}

// displayFor gives a reference's display when it names a directory resource.
func displayFor(ref string) string {
	if o := orgByRef(ref); o != nil {
		return o.name
	}
	if ref == CaseWorkerRole {
		return caseWorker.roleDisplay()
	}
	for i := range requesters {
		if requesters[i].roleRef() == ref {
			return requesters[i].roleDisplay()
		}
	}
	return ""
}
