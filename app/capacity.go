package app

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/referraldesk/referraldesk/fhir"
)

// Capacity (IG 3.0.0): whether the organization can take referrals now.
// The codes are the IG's SDOHCC-ValueSetCapacityStatus.
const (
	CapacityOpen       = "capacity"
	CapacityFull       = "no-capacity"
	CapacityWaitlist   = "waitlist"
	CapacityAssessment = "additional-assessment-required"
)

// Capacities are the capacity codes, with their labels, in the order a case
// worker chooses among them.
var Capacities = []struct{ Code, Label string }{
	{CapacityOpen, "Has capacity"},
	{CapacityFull, "No capacity"},
	{CapacityWaitlist, "Waitlist"},
	{CapacityAssessment, "Additional assessment required"},
}

// capacityCode reads a capacity code, also the IG's older no-capacity-has-waitlist.
func capacityCode(code string) (string, bool) {
	if code == "no-capacity-has-waitlist" {
		return CapacityWaitlist, true
	}
	for _, c := range Capacities {
		if c.Code == code {
			return code, true
		}
	}
	return "", false
}

// atCapacityText is a capacity decline's reason when the case worker gives none.
const atCapacityText = "At capacity"

// DeclineAtCapacity declines a referral because the organization has no
// capacity: statusReason carries the IG's no-capacity code and note (or
// "At capacity") as its text.
func (a *App) DeclineAtCapacity(ctx context.Context, source int64, taskID, note string) (Outcome, error) {
	if note == "" {
		note = atCapacityText
	}
	extras, _ := json.Marshal(changeExtras{AtCapacity: true})
	return a.setStatus(ctx, source, taskID, fhir.StatusRejected, note, extras)
}

// DeclineAllNewAtCapacity declines, at capacity, every new referral of a
// platform (those still requested), each as a change of its own; it
// returns how many were declined, sent or queued.
func (a *App) DeclineAllNewAtCapacity(ctx context.Context, source int64, note string) (int, error) {
	refs, err := a.Inbox(ctx, InboxFilter{Statuses: []string{fhir.StatusRequested}, SourceID: source})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range refs {
		if r.Pending {
			continue // the case worker already acted on it
		}
		if _, err := a.DeclineAtCapacity(ctx, source, r.TaskID, note); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// changeExtras is what a change carries beyond status and reason
// (storage.Change.Outcome): what a completion delivered, or that a decline
// is for lack of capacity.
type changeExtras struct {
	Completion
	AtCapacity bool `json:"atCapacity,omitempty"`
}

// SetCapacity records the organization's capacity for a platform's
// referrals, with a note, and publishes it on the organization's
// HealthcareService where the platform allows that (shared is then true);
// elsewhere it is kept here only.
func (a *App) SetCapacity(ctx context.Context, source int64, capacity, note string) (shared bool, err error) {
	code, ok := capacityCode(capacity)
	if !ok {
		return false, &Error{Op: "set capacity", Kind: KindInvalid, Reason: ReasonUsage, Value: "capacity is capacity, no-capacity, waitlist or additional-assessment-required"}
	}
	if err := a.store.SetCapacity(ctx, source, code, note); err != nil {
		return false, err
	}
	s, err := a.session(ctx, source)
	if err != nil {
		return false, err
	}
	return a.publishCapacity(ctx, s, code, note)
}

// publishCapacity puts the capacity on each HealthcareService the
// organization provides on the platform, if the platform lets it update
// them.
func (a *App) publishCapacity(ctx context.Context, s *session, code, note string) (bool, error) {
	caps, err := s.capabilities(ctx)
	if err != nil {
		return false, err
	}
	if allowed, _ := caps.Allows("HealthcareService", "update"); !allowed {
		return false, nil
	}
	var services []fhir.Resource
	_, err = s.fhir.Search(ctx, "HealthcareService", url.Values{"organization": {s.src.Owner}}, func(p fhir.Page) error {
		services = append(services, p.Matches...)
		return nil
	})
	if err != nil || len(services) == 0 {
		return false, err
	}
	for _, hs := range services {
		body, err := fhir.SetCapacity(hs.Raw, code, note)
		if err == nil {
			_, err = s.fhir.Update(ctx, "HealthcareService", hs.ID, body, hs.Meta.VersionID)
		}
		if KindOf(err) == KindRefused {
			// The platform does not let this organization publish it: it
			// is kept here, and SetCapacity says it is not shared.
			a.log.Info("the platform refused the capacity update", "cause", err)
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}
