package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// Referral is one referral as the inbox lists it: the Task and what it
// references, reduced to what a case worker scans a list for.
type Referral struct {
	SourceID     int64
	TaskID       string
	Status       string // the Task's status (StatusLabel)
	Priority     string // the Task's, else the ServiceRequest's, else routine (PriorityLabel)
	Person       string // the person's name
	Need         string // "Food insecurity — Assistance with application for food pantry program"
	Category     string // SDOH category code, e.g. "food-insecurity"
	Requester    string // who asked: "Dr Jan Water, Good Health Clinic"
	AuthoredOn   string // FHIR dateTime the requester sent it
	VersionID    string // the Task's version this desk has
	DoNotContact bool   // the person must not be contacted
	Consent      string // "active" | "inactive" | "none"
	Pending      bool   // a change to it is waiting to be sent
	Projected    string // the status the changes waiting to be sent will leave it in; "" when none waits
	Damaged      bool   // its person and need, as saved here, could not be read: the next sync rewrites them
	SeenAt       time.Time
	ReceivedAt   time.Time // when Referral Desk first stored it
}

// referralOf is the referral a stored inbox row describes.
func referralOf(r storage.Referral) Referral {
	return Referral{SourceID: r.SourceID, TaskID: r.TaskID, Status: r.Status, Priority: r.Priority,
		Person: r.Person, Need: r.Need, Category: r.Category, Requester: r.Requester, AuthoredOn: r.AuthoredOn,
		VersionID: r.VersionID, DoNotContact: r.DoNotContact, Consent: r.Consent, Pending: r.Pending, Projected: r.Projected, Damaged: r.Damaged,
		SeenAt: r.SeenAt, ReceivedAt: r.ReceivedAt}
}

func referralsOf(rows []storage.Referral) []Referral {
	if rows == nil {
		return nil
	}
	out := make([]Referral, len(rows))
	for i, r := range rows {
		out[i] = referralOf(r)
	}
	return out
}

// referralRow computes the inbox row of a referral Task from the Task and
// what it references. Anything missing is left blank: the IG asks receivers
// to treat missing elements as absent, not to fail.
func referralRow(source int64, task fhir.Resource, rs *resources) (storage.Referral, error) {
	t, ok := fhir.As[fhir.Task](task)
	if !ok {
		return storage.Referral{}, fmt.Errorf("not a readable Task")
	}
	row := storage.Referral{
		SourceID: source, TaskID: task.ID, Status: t.Status, Priority: t.Priority,
		AuthoredOn: t.AuthoredOn, LastUpdated: task.Meta.LastUpdated, VersionID: task.Meta.VersionID,
		FocusRef: t.Focus.Reference, PatientRef: t.For.Reference, Consent: "none",
		Person: t.For.Display, Requester: t.Requester.Display,
	}
	if p, ok := viewOf[fhir.Patient](rs, t.For); ok {
		if name := p.DisplayName(); name != "" {
			row.Person = name
		}
		row.Phones = phoneNumbers(p)
	}
	if row.Requester == "" {
		row.Requester = requesterName(rs, t.Requester)
	}
	if sr, ok := viewOf[fhir.ServiceRequest](rs, t.Focus); ok {
		row.DoNotContact = sr.DoNotContact()
		row.Need = needText(sr)
		if cat, ok := sr.SDOHCategory(); ok {
			row.Category = cat.Code
		}
		if row.Priority == "" {
			row.Priority = sr.Priority
		}
		row.Consent = consentState(rs, sr)
	}
	if row.Priority == "" {
		row.Priority = "routine"
	}
	row.StatusRank, row.PriorityRank = ranks(row.Status, row.Priority)
	return row, nil
}

// ranks are the inbox ranks of a referral's status and priority: the
// store sorts by them.
func ranks(status, priority string) (statusRank, priorityRank int) {
	return StatusRank(status), PriorityRank(priority)
}

// needText is "Food insecurity — Assistance with application for food pantry program".
func needText(sr fhir.ServiceRequest) string {
	var parts []string
	if cat, ok := sr.SDOHCategory(); ok {
		parts = append(parts, categoryLabel(cat))
	}
	if s := sr.Code.Label(); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " — ")
}

// consentState is "active", "inactive" or "none" (no Consent linked or readable).
// Many real requests carry no Consent link: that is shown, never an error.
func consentState(rs *resources, sr fhir.ServiceRequest) string {
	state := "none"
	for _, ref := range sr.SupportingInfo {
		if typ, _, ok := ref.TypeID(); !ok || typ != "Consent" {
			continue
		}
		c, ok := viewOf[fhir.Consent](rs, ref)
		if !ok {
			continue
		}
		if c.Status == "active" {
			return "active"
		}
		state = "inactive"
	}
	return state
}

// requesterName names who asked: "Dr Jan Water, Good Health Clinic".
func requesterName(rs *resources, ref fhir.Reference) string {
	typ, _, ok := ref.TypeID()
	if !ok {
		return ref.Display
	}
	switch typ {
	case "PractitionerRole":
		pr, ok := viewOf[fhir.PractitionerRole](rs, ref)
		if !ok {
			return ref.Display
		}
		var parts []string
		if n := requesterName(rs, pr.Practitioner); n != "" {
			parts = append(parts, n)
		}
		if n := requesterName(rs, pr.Organization); n != "" {
			parts = append(parts, n)
		}
		if len(parts) == 0 {
			return ref.Display
		}
		return strings.Join(parts, ", ")
	case "Practitioner":
		if p, ok := viewOf[fhir.Practitioner](rs, ref); ok && len(p.Name) > 0 {
			return p.Name[0].String()
		}
	case "Organization":
		if o, ok := viewOf[fhir.Organization](rs, ref); ok && o.Name != "" {
			return o.Name
		}
	}
	if ref.Display != "" {
		return ref.Display
	}
	return fmt.Sprint(ref.Reference)
}
