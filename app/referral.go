package app

import (
	"fmt"
	"strings"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// lookup finds a referenced resource ("Type/id") among what is known.
type lookup func(ref string) (fhir.Resource, bool)

// referralRow computes the inbox row of a referral Task from the Task and
// what it references. Anything missing is left blank: the IG asks receivers
// to treat missing elements as absent, not to fail.
func referralRow(source int64, task fhir.Resource, get lookup) (storage.Referral, error) {
	t, err := fhir.Decode[fhir.Task](task.Raw)
	if err != nil {
		return storage.Referral{}, err
	}
	row := storage.Referral{
		SourceID: source, TaskID: task.ID, Status: t.Status, Priority: t.Priority,
		AuthoredOn: t.AuthoredOn, LastUpdated: task.Meta.LastUpdated, VersionID: task.Meta.VersionID,
		FocusRef: t.Focus.Reference, PatientRef: t.For.Reference, Consent: "none",
		Person: t.For.Display, Requester: t.Requester.Display,
	}
	if p, ok := decodeRef[fhir.Patient](get, t.For); ok && p.DisplayName() != "" {
		row.Person = p.DisplayName()
	}
	if row.Requester == "" {
		row.Requester = requesterName(get, t.Requester)
	}
	sr, ok := decodeRef[fhir.ServiceRequest](get, t.Focus)
	if ok {
		row.DoNotContact = sr.DoNotContact()
		row.Need = needText(sr)
		if cat, ok := sr.SDOHCategory(); ok {
			row.Category = cat.Code
		}
		if row.Priority == "" {
			row.Priority = sr.Priority
		}
		row.Consent = consentState(get, sr)
	}
	if row.Priority == "" {
		row.Priority = "routine"
	}
	return row, nil
}

// decodeRef decodes the resource a reference points at, if it is known and readable.
func decodeRef[T any](get lookup, ref fhir.Reference) (T, bool) {
	var zero T
	typ, id, ok := ref.TypeID()
	if !ok {
		return zero, false
	}
	r, ok := get(typ + "/" + id)
	if !ok {
		return zero, false
	}
	v, err := fhir.Decode[T](r.Raw)
	return v, err == nil
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

func categoryLabel(c fhir.Coding) string {
	if c.Display != "" {
		return c.Display
	}
	s := strings.ReplaceAll(c.Code, "-", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// consentState is "active", "inactive" or "none" (no Consent linked or readable).
// Many real requests carry no Consent link: that is shown, never an error.
func consentState(get lookup, sr fhir.ServiceRequest) string {
	state := "none"
	for _, ref := range sr.SupportingInfo {
		if typ, _, ok := ref.TypeID(); !ok || typ != "Consent" {
			continue
		}
		c, ok := decodeRef[fhir.Consent](get, ref)
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
func requesterName(get lookup, ref fhir.Reference) string {
	typ, _, ok := ref.TypeID()
	if !ok {
		return ref.Display
	}
	switch typ {
	case "PractitionerRole":
		pr, ok := decodeRef[fhir.PractitionerRole](get, ref)
		if !ok {
			return ref.Display
		}
		var parts []string
		if n := requesterName(get, pr.Practitioner); n != "" {
			parts = append(parts, n)
		}
		if n := requesterName(get, pr.Organization); n != "" {
			parts = append(parts, n)
		}
		if len(parts) == 0 {
			return ref.Display
		}
		return strings.Join(parts, ", ")
	case "Practitioner":
		if p, ok := decodeRef[fhir.Practitioner](get, ref); ok && len(p.Name) > 0 {
			return p.Name[0].String()
		}
	case "Organization":
		if o, ok := decodeRef[fhir.Organization](get, ref); ok && o.Name != "" {
			return o.Name
		}
	}
	if ref.Display != "" {
		return ref.Display
	}
	return fmt.Sprint(ref.Reference)
}
