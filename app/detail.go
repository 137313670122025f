package app

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// Detail is a referral in full, as a case worker reads it.
type Detail struct {
	Referral
	Source       Source
	StatusReason string
	Person       Person
	DoNotContact bool
	Consent      ConsentInfo
	Need         Need
	Requester    Requester
	Notes        []string
	Changes      []Change // what this desk sent or queued, oldest first
	Next         []string // statuses the case worker may move it to now
	Raw          map[string]json.RawMessage
	// OutcomesSent is what the organization reported doing, from the
	// Task's outputs: services (with the Procedure posted, if any) and
	// enrollment.
	OutcomesSent []SentOutcome
	// SentWith is what the requester attached to the referral (labs,
	// screening answers, assessments, goals, documents), in its order.
	SentWith []Content
	// Damaged: part of what is saved here for this referral could not be
	// read (altered on disk, or written under another key) and is left
	// out; sync again to fetch it anew. DamagedText says so in words.
	Damaged bool
}

// Content is one thing a requester sent with a referral, as it reads.
type Content struct {
	Kind   string // "Observation or result", "Screening answers", "Goal", "Document"…
	Title  string // its code, description or title
	Detail string // its value, answers or attachment
	Date   string
	// Missing: it could not be fetched or read; Title names it as the
	// requester did.
	Missing bool
}

// SentOutcome is one output of a completed referral, as it reads.
type SentOutcome struct {
	Kind string // "Service delivered" or "Program enrollment"…
	Text string // the service or result, in words
	Date string // when it was performed
	Ref  string // the Procedure or Observation posted ("Procedure/123"); "" when sent as a code
}

// outcomesOf reads a Task's outputs: resulting activities and additional
// content, each described from what it points at when that is known.
func outcomesOf(rs *resources, t fhir.Task) []SentOutcome {
	var out []SentOutcome
	for _, o := range t.Output {
		kind := "Service delivered"
		if o.Type.Has(fhir.SystemSDOHTemporary, fhir.CodeAdditionalContent) {
			kind = "Reported"
		} else if !o.Type.Has(fhir.SystemSDOHTemporary, fhir.CodeResultingActivity) {
			continue
		}
		so := SentOutcome{Kind: kind}
		switch {
		case o.ValueReference != nil:
			so.Ref, so.Text = o.ValueReference.Reference, o.ValueReference.Display
			if typ, id, ok := o.ValueReference.TypeID(); ok {
				if r, ok := rs.get(typ + "/" + id); ok {
					d := fhir.Describe(r)
					so.Text, so.Date = cmp.Or(so.Text, d.Title+detailSuffix(d.Detail)), d.Date
				}
			}
		case o.ValueCodeableConcept != nil:
			so.Text = o.ValueCodeableConcept.Label()
		}
		so.Text = cmp.Or(so.Text, so.Ref) // not fetched yet: the next sync brings it
		out = append(out, so)
	}
	return out
}

func detailSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// sentWithOf describes what a Task's requester attached.
func sentWithOf(rs *resources, t fhir.Task) []Content {
	var out []Content
	for _, ref := range sentWith(t) {
		typ, id, ok := ref.TypeID()
		if !ok {
			out = append(out, Content{Title: cmp.Or(ref.Display, ref.Reference), Missing: true})
			continue
		}
		r, ok := rs.get(typ + "/" + id)
		if !ok {
			out = append(out, Content{Kind: typ, Title: cmp.Or(ref.Display, typ+"/"+id), Missing: true})
			continue
		}
		d := fhir.Describe(r)
		c := Content{Kind: d.Kind, Title: cmp.Or(ref.Display, d.Title), Detail: d.Detail, Date: d.Date}
		if strings.Contains(c.Title, c.Detail) { // the requester's words name the answer already
			c.Detail = ""
		}
		out = append(out, c)
	}
	return out
}

// DamagedText is what the referral's view says when Damaged is set.
const DamagedText = "Part of this referral's data saved on this computer is damaged and is not shown. Sync again to fetch it anew from the platform."

// Person is who the referral is for. Contact details must be hidden behind a
// deliberate reveal when DoNotContact is set.
type Person struct {
	Name, Gender, BirthDate, Language string
	Age                               int // -1 when unknown
	Phones, Emails, Addresses         []string
	Known                             bool // the Patient resource was available
}

// ConsentInfo is the consent to share SDOH information with this organization.
type ConsentInfo struct {
	State         string // active | inactive | none
	Date, Policy  string
	Organizations []string
	Period        string
}

// Need is what is asked for.
type Need struct {
	Category, Service string
	// CategoryCode is the SDOH category's code, Requested the service
	// asked for: what ServicesFor offers a completion from.
	CategoryCode string
	Requested    Service
	Reasons      []string
	Notes        []string
	Period       string
	Priority     string
}

// Requester is who asked and how to reach them.
type Requester struct {
	Name     string
	Contacts []string
}

// Referral returns a referral with everything Referral Desk knows about it.
func (a *App) Referral(ctx context.Context, source int64, taskID string) (*Detail, error) {
	row, err := a.store.Referral(ctx, source, taskID)
	if err != nil {
		return nil, err
	}
	src, err := a.store.Source(ctx, source)
	if err != nil {
		return nil, err
	}
	rs := newResources(ctx, a.store, source)
	d := &Detail{Referral: referralOf(row), Source: sourceOf(src), Raw: map[string]json.RawMessage{}, Next: NextStatuses(row.Status),
		Damaged: row.Damaged}
	if row.Pending {
		d.Next = nil
	}
	taskRes, ok := rs.get("Task/" + taskID)
	if rs.err != nil {
		return nil, rs.err
	}
	if !ok {
		d.Damaged = d.Damaged || rs.damaged
		return d, a.healOnNextSync(ctx, d)
	}
	d.Raw["Task"] = json.RawMessage(taskRes.Raw)
	t, _ := fhir.As[fhir.Task](taskRes)
	d.StatusReason = t.StatusReason.Label()
	for _, n := range t.Note {
		d.Notes = append(d.Notes, n.Text)
	}
	d.Person = personOf(rs, t.For, a.now())
	d.SentWith = sentWithOf(rs, t)
	d.OutcomesSent = outcomesOf(rs, t)
	d.Requester = Requester{Name: row.Requester, Contacts: requesterContacts(rs, t.Requester)}
	if srRes, ok := rs.get(t.Focus.Reference); ok {
		d.Raw["ServiceRequest"] = json.RawMessage(srRes.Raw)
		sr, _ := fhir.As[fhir.ServiceRequest](srRes)
		d.DoNotContact = sr.DoNotContact()
		d.Need = needOf(rs, sr)
		d.Consent = consentOf(rs, sr)
	} else {
		d.Consent.State = "none"
	}
	if d.Need.Priority == "" {
		d.Need.Priority = row.Priority
	}
	if rs.err != nil { // what could not be read would show as "none on file"
		return nil, rs.err
	}
	d.Damaged = d.Damaged || rs.damaged
	if err := a.healOnNextSync(ctx, d); err != nil {
		return nil, err
	}
	changes, err := a.store.ChangesForTask(ctx, source, taskID)
	for _, c := range changes {
		d.Changes = append(d.Changes, changeOf(c))
	}
	return d, err
}

// healOnNextSync makes the next sync of a damaged referral's platform fetch
// everything again, which writes what is damaged anew.
func (a *App) healOnNextSync(ctx context.Context, d *Detail) error {
	if !d.Damaged {
		return nil
	}
	return a.store.SyncFromStart(ctx, d.SourceID)
}

// MarkSeen records that the case worker opened a referral (it is no longer unread).
func (a *App) MarkSeen(ctx context.Context, source int64, taskID string) error {
	return a.store.MarkSeen(ctx, source, taskID, a.now())
}

// MarkUnread makes a referral unread again, to come back to it.
func (a *App) MarkUnread(ctx context.Context, source int64, taskID string) error {
	return a.store.MarkSeen(ctx, source, taskID, time.Time{})
}

func personOf(rs *resources, ref fhir.Reference, now time.Time) Person {
	p := Person{Name: ref.Display, Age: -1}
	pt, ok := viewOf[fhir.Patient](rs, ref)
	if !ok {
		return p
	}
	p.Known = true
	if n := pt.DisplayName(); n != "" {
		p.Name = n
	}
	p.Gender, p.BirthDate = pt.Gender, pt.BirthDate
	if b, err := time.Parse("2006-01-02", pt.BirthDate); err == nil {
		p.Age = now.Year() - b.Year()
		if now.YearDay() < b.YearDay() {
			p.Age--
		}
	}
	for _, c := range pt.Communication {
		if p.Language == "" || c.Preferred {
			p.Language = c.Language.Label()
		}
	}
	for _, t := range pt.Telecom {
		v := t.Value
		if t.Use != "" {
			v += " (" + t.Use + ")"
		}
		switch t.System {
		case "phone", "sms":
			p.Phones = append(p.Phones, v)
		case "email":
			p.Emails = append(p.Emails, v)
		}
	}
	for _, ad := range pt.Address {
		if ad.Period.End == "" {
			p.Addresses = append(p.Addresses, ad.String())
		}
	}
	return p
}

func needOf(rs *resources, sr fhir.ServiceRequest) Need {
	n := Need{Service: sr.Code.Label(), Priority: sr.Priority}
	if c, ok := sr.SDOHCategory(); ok {
		n.Category, n.CategoryCode = categoryLabel(c), c.Code
	}
	if len(sr.Code.Coding) > 0 {
		c := sr.Code.Coding[0]
		n.Requested = Service{System: c.System, Code: c.Code, Display: cmp.Or(c.Display, sr.Code.Text)}
	}
	for _, rc := range sr.ReasonCode {
		n.Reasons = append(n.Reasons, rc.Label())
	}
	for _, ref := range sr.ReasonReference {
		if c, ok := viewOf[fhir.Condition](rs, ref); ok && c.Code.Label() != "" {
			n.Reasons = append(n.Reasons, c.Code.Label())
		} else if ref.Display != "" {
			n.Reasons = append(n.Reasons, ref.Display)
		}
	}
	for _, note := range sr.Note {
		n.Notes = append(n.Notes, note.Text)
	}
	switch {
	case sr.OccurrencePeriod != nil:
		n.Period = periodText(*sr.OccurrencePeriod)
	case sr.OccurrenceDateTime != "":
		n.Period = sr.OccurrenceDateTime
	}
	return n
}

func consentOf(rs *resources, sr fhir.ServiceRequest) ConsentInfo {
	info := ConsentInfo{State: consentState(rs, sr)}
	for _, ref := range sr.SupportingInfo {
		if typ, _, _ := ref.TypeID(); typ != "Consent" {
			continue
		}
		c, ok := viewOf[fhir.Consent](rs, ref)
		if !ok {
			continue
		}
		info.Date, info.Policy = c.DateTime, c.PolicyRule.Label()
		info.Period = periodText(c.Provision.Period)
		for _, o := range c.Organization {
			if name := requesterName(rs, o); name != "" {
				info.Organizations = append(info.Organizations, name)
			}
		}
		if c.Status == "active" {
			break
		}
	}
	return info
}

func requesterContacts(rs *resources, ref fhir.Reference) []string {
	var out []string
	add := func(cps []fhir.ContactPoint) {
		for _, c := range cps {
			if c.Value != "" {
				out = append(out, fmt.Sprintf("%s: %s", c.System, c.Value))
			}
		}
	}
	// A view reads any resource: ask for the one of the reference's type.
	switch typ, _, _ := ref.TypeID(); typ {
	case "PractitionerRole":
		if pr, ok := viewOf[fhir.PractitionerRole](rs, ref); ok {
			add(pr.Telecom)
			if o, ok := viewOf[fhir.Organization](rs, pr.Organization); ok {
				add(o.Telecom)
			}
		}
	case "Organization":
		if o, ok := viewOf[fhir.Organization](rs, ref); ok {
			add(o.Telecom)
		}
	case "Practitioner":
		if p, ok := viewOf[fhir.Practitioner](rs, ref); ok {
			add(p.Telecom)
		}
	}
	return out
}

func periodText(p fhir.Period) string {
	switch {
	case p.Start != "" && p.End != "":
		return p.Start + " to " + p.End
	case p.Start != "":
		return "from " + p.Start
	case p.End != "":
		return "until " + p.End
	}
	return ""
}
