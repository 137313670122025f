package app

import (
	"context"
	"time"
)

// Summary is the day at a glance, before any referral is opened: what
// waits for the case worker, and what waits for a platform.
type Summary struct {
	New     int // referrals nobody has accepted or declined yet, here or on the platform
	Overdue int // of those, the ones waiting longer than the overdue threshold
	// Waiting are the changes made here that wait to be sent; Conflicts the
	// ones someone changed the referral before; oldest first, each with
	// the referral it changes.
	Waiting, Conflicts []Pending
	// Attention are the platforms that need the case worker: a sign-in to
	// renew, or a last sync that failed.
	Attention []Source
}

// Pending is an unsettled change with the referral it is for.
type Pending struct {
	Change   Change
	Referral Referral
	Platform string
}

// Summary counts the day's work. Overdue uses the same rule as the inbox's
// marks (Overdue), at now with the threshold given.
func (a *App) Summary(ctx context.Context, now time.Time, overdueDays int) (Summary, error) {
	var sum Summary
	fresh, err := a.Inbox(ctx, InboxFilter{Statuses: ViewNew})
	if err != nil {
		return sum, err
	}
	for _, r := range fresh {
		if r.Projected != "" { // answered here; the answer waits to be sent
			continue
		}
		sum.New++
		if Overdue(r, now, overdueDays) {
			sum.Overdue++
		}
	}
	srcs, err := a.Sources(ctx)
	if err != nil {
		return sum, err
	}
	for _, s := range srcs {
		if s.State != SourceOK {
			sum.Attention = append(sum.Attention, s)
		}
		if err := a.addUnsettled(ctx, s, &sum); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// addUnsettled adds a platform's unsettled changes to the summary.
func (a *App) addUnsettled(ctx context.Context, s Source, sum *Summary) error {
	changes, err := a.Unsettled(ctx, s.ID)
	if err != nil {
		return err
	}
	for _, c := range changes {
		row, err := a.store.Referral(ctx, c.SourceID, c.TaskID)
		if err != nil {
			return err
		}
		p := Pending{Change: c, Referral: referralOf(row), Platform: s.Name}
		if c.State == ChangeConflict {
			sum.Conflicts = append(sum.Conflicts, p)
		} else {
			sum.Waiting = append(sum.Waiting, p)
		}
	}
	return nil
}
