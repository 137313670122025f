package app

import (
	"context"
	"strings"

	"github.com/referraldesk/referraldesk/storage"
)

// After a real conflict (the platform's status moved since the case worker
// acted) the case worker decides: keep the platform's version, or apply
// their change on top of it, when the IG allows that move from the status
// the platform has now.

// KeepTheirs settles a conflicting change: the platform's version stands,
// and the change is not sent.
func (a *App) KeepTheirs(ctx context.Context, changeID int64) error {
	c, err := a.conflicting(ctx, changeID)
	if err != nil {
		return err
	}
	return a.store.MarkChange(ctx, c.ID, storage.ChangeDismissed, say(reasonKeptTheirs))
}

// ApplyMine sends a conflicting change again on top of the platform's
// version, as a new change from the status it has now.
func (a *App) ApplyMine(ctx context.Context, changeID int64) (Outcome, error) {
	c, err := a.conflicting(ctx, changeID)
	if err != nil {
		return Outcome{}, err
	}
	row, err := a.store.Referral(ctx, c.SourceID, c.TaskID)
	if err != nil {
		return Outcome{}, err
	}
	if !CanMove(row.Status, c.ToStatus) {
		return Outcome{}, &Error{Op: "apply a change again", Kind: KindInvalid, Reason: reasonCannotMove,
			Status: strings.ToLower(StatusLabel(row.Status)), To: strings.ToLower(StatusLabel(c.ToStatus))}
	}
	if err := a.store.MarkChange(ctx, c.ID, storage.ChangeDismissed, say(reasonAppliedAgain)); err != nil {
		return Outcome{}, err
	}
	return a.setStatus(ctx, c.SourceID, c.TaskID, c.ToStatus, c.Reason, c.Outcome)
}

// Unsettled lists a platform's changes that wait to be sent or that a
// conflict stopped (for the case worker to settle), oldest first.
func (a *App) Unsettled(ctx context.Context, source int64) ([]Change, error) {
	rows, err := a.store.UnsettledChanges(ctx, source)
	out := make([]Change, len(rows))
	for i, c := range rows {
		out[i] = changeOf(c)
	}
	return out, err
}

// conflicting is change id, if it is in conflict.
func (a *App) conflicting(ctx context.Context, id int64) (storage.Change, error) {
	c, err := a.store.Change(ctx, id)
	if err != nil {
		return storage.Change{}, err
	}
	if c.State != storage.ChangeConflict {
		return storage.Change{}, &Error{Op: "settle a conflict", Kind: KindInvalid, Reason: reasonNoConflict}
	}
	return c, nil
}
