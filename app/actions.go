package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// Change is a status change the case worker made, as queued for the platform.
type Change struct {
	ID, SourceID         int64
	TaskID               string
	FromStatus, ToStatus string
	Reason               string // the case worker's, for the requester to see
	State                ChangeState
	Detail               string // the platform's explanation, or why it is not sent yet
	CreatedAt            time.Time
}

// ChangeState is where a queued status change is.
type ChangeState string

const (
	ChangePending  ChangeState = "pending"  // waiting to be sent
	ChangeSending  ChangeState = "sending"  // being sent (or was, when Referral Desk stopped)
	ChangeSent     ChangeState = "sent"     // the platform accepted it
	ChangeConflict ChangeState = "conflict" // the referral changed on the platform first
	ChangeRefused  ChangeState = "refused"  // the platform refused it
	// ChangeDismissed: after a conflict the case worker kept the platform's version.
	ChangeDismissed ChangeState = "dismissed"
)

// changeOf is the change a stored outbox entry describes.
func changeOf(c storage.Change) Change {
	return Change{ID: c.ID, SourceID: c.SourceID, TaskID: c.TaskID, FromStatus: c.FromStatus, ToStatus: c.ToStatus,
		Reason: c.Reason, State: changeStateOf(c.State), Detail: c.Detail, CreatedAt: c.CreatedAt}
}

func changeStateOf(s storage.ChangeState) ChangeState {
	switch s {
	case storage.ChangeSending:
		return ChangeSending
	case storage.ChangeSent:
		return ChangeSent
	case storage.ChangeConflict:
		return ChangeConflict
	case storage.ChangeRefused:
		return ChangeRefused
	case storage.ChangeDismissed:
		return ChangeDismissed
	}
	return ChangePending
}

// Outcome of sending one change.
type Outcome struct {
	Change Change
	// Sent is true when the platform confirmed the change; Task is its copy then.
	Sent bool
	Task fhir.Resource
	// Why is what stopped a change that waits to be sent (the platform
	// could not be reached…); nil otherwise.
	Why error
}

// Message says what happened to a change, in the case worker's words.
func (o Outcome) Message() string {
	c := o.Change
	switch c.State {
	case ChangeSent:
		return fmt.Sprintf("The platform has it: the referral is now %s.", strings.ToLower(StatusLabel(c.ToStatus)))
	case ChangeConflict, ChangeRefused:
		return c.Detail
	}
	if c.Detail != "" {
		return c.Detail + " " + say(reasonGoesOutLater)
	}
	return say(reasonGoesOutLater)
}

// SetStatus queues a status change for a referral and tries to send it now.
// The transition must be one the IG allows; decline, hold, fail and cancel
// need a reason. A change that cannot be sent now stays queued (Outcome.Sent
// false, no error); one the platform refuses or that meets a newer version
// comes back with the platform's explanation.
func (a *App) SetStatus(ctx context.Context, source int64, taskID, to, reason string) (Outcome, error) {
	return a.setStatus(ctx, source, taskID, to, reason, nil)
}

// setStatus is SetStatus with what a completion delivered (Complete).
func (a *App) setStatus(ctx context.Context, source int64, taskID, to, reason string, outcome []byte) (Outcome, error) {
	// Hold the source's lock from the pending check on: a sync sending the
	// queue must not pick this change up between its queueing and its sending.
	defer a.lock(source)()
	row, err := a.store.Referral(ctx, source, taskID)
	if err != nil {
		return Outcome{}, err
	}
	reason = strings.TrimSpace(reason)
	// Changes made while earlier ones wait (offline: accept, then start,
	// then complete) follow from the status those will leave, and take
	// their base version when the one before is applied.
	from, base := row.Status, row.VersionID
	if row.Pending {
		from, base = row.Projected, ""
	}
	if !CanMove(from, to) {
		return Outcome{}, &Error{Op: "set status", Kind: KindInvalid, Reason: reasonCannotMove,
			Status: strings.ToLower(StatusLabel(from)), To: strings.ToLower(StatusLabel(to))}
	}
	if NeedsReason(to) && reason == "" {
		return Outcome{}, &Error{Op: "set status", Kind: KindInvalid, Reason: reasonNeedsReason, Action: ActionName(from, to)}
	}
	c := storage.Change{SourceID: source, TaskID: taskID, FromStatus: from, ToStatus: to,
		Reason: reason, BaseVersion: base, State: storage.ChangePending, Outcome: outcome}
	if c.ID, err = a.store.Enqueue(ctx, c); err != nil {
		return Outcome{}, err
	}
	s, err := a.session(ctx, source)
	if err != nil {
		a.noteFailure(ctx, source, err)
		return a.queued(ctx, c.ID, err)
	}
	return a.sendTask(ctx, s, c.ID)
}

// sendTask sends the changes waiting for a Task, oldest first, and reports
// on last, the one just made.
func (a *App) sendTask(ctx context.Context, s *session, last int64) (Outcome, error) {
	changes, err := a.store.PendingChanges(ctx, s.src.ID)
	if err != nil {
		return Outcome{}, err
	}
	mine, err := a.store.Change(ctx, last)
	if err != nil {
		return Outcome{}, err
	}
	for _, c := range changes {
		if c.TaskID != mine.TaskID || c.ID > last {
			continue
		}
		o, err := a.send(ctx, s, c)
		if err != nil || c.ID == last {
			return o, err
		}
		if o.Change.State != ChangeSent {
			break // the rest wait for it, or were settled with it
		}
	}
	c, err := a.store.Change(ctx, last)
	return Outcome{Change: changeOf(c)}, err
}

// queued reports a change left in the queue after err.
func (a *App) queued(ctx context.Context, id int64, err error) (Outcome, error) {
	_ = a.store.MarkChange(ctx, id, storage.ChangePending, Explain(err))
	c, e := a.store.Change(ctx, id)
	if e != nil {
		return Outcome{}, e
	}
	return Outcome{Change: changeOf(c), Why: err}, nil
}

// sendPending sends a source's queued changes, oldest first. It stops at the
// first one that cannot be sent now (the rest would fail the same way).
func (a *App) sendPending(ctx context.Context, s *session, rep *SyncReport) error {
	changes, err := a.store.PendingChanges(ctx, s.src.ID)
	if err != nil {
		return err
	}
	for _, c := range changes {
		o, err := a.send(ctx, s, c)
		if err != nil {
			return err
		}
		switch o.Change.State {
		case ChangeSent:
			rep.Sent++
		case ChangeConflict:
			rep.Conflicts++
		case ChangeRefused:
			rep.Refused++
		default:
			return nil // not now; or another process is sending it
		}
	}
	return nil
}

// send sends one queued change: it reads the platform's latest copy of the
// Task, changes only status, statusReason and output (the IG's rule for a
// recipient), and PUTs it with If-Match on the version the case worker acted
// on. Errors that mean "not now" leave the change queued and return no error;
// losing the sign-in returns the error after queueing.
func (a *App) send(ctx context.Context, s *session, c storage.Change) (Outcome, error) {
	id := c.ID
	if waits, err := a.store.WaitsForEarlier(ctx, id); err != nil || waits {
		// The change before it in a sequence is not applied yet: it waits.
		return a.current(ctx, id, err)
	}
	// Only one process sends a change: the window and a command line may
	// both be sending this platform's queue.
	c, ok, err := a.store.ClaimChange(ctx, id, a.claimer, sendLease, claimerGone)
	if err != nil || !ok {
		return a.current(ctx, id, err)
	}
	// A previous attempt may have reached the platform: one interrupted by a
	// crash (still "sending") or one whose answer was lost (any attempt).
	resumed := c.State == storage.ChangeSending || c.Attempts > 0
	latest, err := a.startingCopy(ctx, s, c, resumed)
	if err != nil {
		return a.failed(ctx, s, c, err)
	}
	for tries := 1; ; tries++ {
		if latest.Meta.VersionID != c.BaseVersion {
			t, _ := fhir.As[fhir.Task](latest)
			switch {
			case resumed && (t.Status == c.ToStatus || a.appliedEarlier(ctx, s, c)):
				// The interrupted attempt did reach the platform (and the
				// requester may have changed the Task since): do not send twice.
				return a.confirmed(ctx, s, c, latest)
			case tries > 2 || !a.onlyOthersChanged(ctx, s, c, latest):
				return a.conflict(ctx, s, c, latest, t.Status)
			}
			// Their edit touched nothing a receiver writes: apply ours on top.
		}
		updated, err := a.update(ctx, s, c, latest)
		if KindOf(err) != KindConflict {
			return a.settled(ctx, s, c, updated, err)
		}
		// Changed between our read and our update (412): look again.
		if latest, err = s.fhir.Read(ctx, "Task", c.TaskID); err != nil {
			return a.conflict(ctx, s, c, fhir.Resource{}, "")
		}
	}
}

// startingCopy is the copy of the Task a change is first sent on: the one
// stored here when it is still the version the case worker acted on, so
// that a change takes one round trip (the platform answers 412 if its
// version moved on, and the platform's copy is read then); the platform's
// own copy when resuming an attempt that may have reached it.
func (a *App) startingCopy(ctx context.Context, s *session, c storage.Change, resumed bool) (fhir.Resource, error) {
	if !resumed && c.BaseVersion != "" {
		stored, err := a.store.Resource(ctx, s.src.ID, "Task", c.TaskID)
		if err == nil && stored.VersionID == c.BaseVersion {
			if r, err := fhir.ParseResource(stored.JSON); err == nil && r.Meta.VersionID == c.BaseVersion {
				return r, nil
			}
		}
	}
	return s.fhir.Read(ctx, "Task", c.TaskID)
}

// update PUTs the change on top of the platform's copy latest, with
// If-Match on latest's version: only status, statusReason and output change.
func (a *App) update(ctx context.Context, s *session, c storage.Change, latest fhir.Resource) (fhir.Resource, error) {
	u := fhir.TaskUpdate{Status: c.ToStatus, Reason: c.Reason}
	var extras changeExtras
	if len(c.Outcome) > 0 {
		if err := json.Unmarshal(c.Outcome, &extras); err != nil {
			return fhir.Resource{}, &Error{Op: "send a change", Kind: KindDamaged, Err: err}
		}
	}
	if extras.AtCapacity {
		u.ReasonCode = &fhir.Coding{System: fhir.SystemSDOHTemporary, Code: fhir.CodeNoCapacity, Display: "No capacity"}
	}
	if c.ToStatus == fhir.StatusCompleted && len(c.Outcome) > 0 {
		var err error
		if u.AddOutputs, err = a.deliver(ctx, s, c, latest); err != nil {
			return fhir.Resource{}, err
		}
	}
	body, err := fhir.ApplyTaskUpdate(latest.Raw, u)
	if err != nil {
		return fhir.Resource{}, &Error{Op: "send a change", Kind: KindDamaged, Reason: reasonTaskUnreadable, Err: err}
	}
	return s.fhir.Update(ctx, "Task", c.TaskID, body, latest.Meta.VersionID)
}

// settled records what the platform answered to an update.
func (a *App) settled(ctx context.Context, s *session, c storage.Change, updated fhir.Resource, err error) (Outcome, error) {
	switch {
	case err == nil:
		return a.confirmed(ctx, s, c, updated)
	case errors.Is(err, fhir.ErrNoBaseVersion):
		// Neither our copy nor the platform's has a version: sent without
		// one, the change could overwrite another's. Kept queued, it would
		// wait forever on a platform that keeps no versions, and lock the
		// referral against any other change: it is refused, saying why.
		return a.refused(ctx, c, &Error{Op: "send a change", Kind: KindUnsafe, Reason: reasonNoVersion, Err: err})
	case KindOf(err) == KindDamaged:
		return a.refused(ctx, c, err)
	}
	return a.failed(ctx, s, c, err)
}

// appliedEarlier reports whether the platform's history shows the change
// applied after the version it was made on: an attempt whose answer was
// lost, after which the requester changed the Task again.
func (a *App) appliedEarlier(ctx context.Context, s *session, c storage.Change) bool {
	versions, err := s.fhir.History(ctx, "Task", c.TaskID)
	if err != nil {
		return false // a platform without history: the status alone decides
	}
	for _, v := range versions {
		t, ok := fhir.As[fhir.Task](v)
		if ok && v.Meta.VersionID != c.BaseVersion && t.Status == c.ToStatus && t.StatusReason.Text == c.Reason {
			return true
		}
	}
	return false
}

// sendLease is how long a claim on a change lasts: longer than any send
// (a read and an update, each under the client's timeout), short enough
// that a change claimed by a process that died is sent within minutes.
const sendLease = 3 * time.Minute

// current reports a change as it stands, for one another process is
// sending (or err).
func (a *App) current(ctx context.Context, id int64, err error) (Outcome, error) {
	if err != nil {
		return Outcome{}, err
	}
	c, err := a.store.Change(ctx, id)
	return Outcome{Change: changeOf(c)}, err
}

// onlyOthersChanged reports whether the platform's newer copy of a Task
// differs from the version the case worker acted on only in what a
// receiver does not write (notes, descriptions, tags…): then the change is
// applied on top of it instead of being taken as a conflict. The version
// acted on is our stored copy when it is still that version, else the
// platform's own record of it (vread); unknown, it is a conflict.
func (a *App) onlyOthersChanged(ctx context.Context, s *session, c storage.Change, latest fhir.Resource) bool {
	var acted fhir.Resource
	if stored, err := a.store.Resource(ctx, s.src.ID, "Task", c.TaskID); err == nil && stored.VersionID == c.BaseVersion {
		acted, err = fhir.ParseResource(stored.JSON)
		if err != nil {
			return false
		}
	} else if acted, err = s.fhir.VRead(ctx, "Task", c.TaskID, c.BaseVersion); err != nil {
		return false
	}
	return fhir.SameWorkflow(acted.Raw, latest.Raw)
}

// confirmed records a change the platform has applied, with its copy of the Task.
func (a *App) confirmed(ctx context.Context, s *session, c storage.Change, task fhir.Resource) (Outcome, error) {
	row, err := a.rowFor(ctx, s.src.ID, task)
	if err != nil {
		return Outcome{}, err
	}
	if err := a.store.CompleteChange(ctx, c.ID, storeResource(s.src.ID, task), row); err != nil {
		return Outcome{}, err
	}
	c, err = a.store.Change(ctx, c.ID)
	return Outcome{Change: changeOf(c), Sent: true, Task: task}, err
}

// conflict records that the platform's copy moved on since the case worker
// acted: the change is not sent, and the newer copy replaces ours so the
// inbox shows what is true now. Nothing is overwritten on the platform.
func (a *App) conflict(ctx context.Context, s *session, c storage.Change, latest fhir.Resource, status string) (Outcome, error) {
	why := &Error{Op: "send a change", Kind: KindConflict, Reason: reasonConflict, Action: ActionName(c.FromStatus, c.ToStatus)}
	if status != "" && status != c.FromStatus {
		why.Reason, why.Status = reasonConflictNow, strings.ToLower(StatusLabel(status))
	}
	if latest.ID != "" {
		if row, err := a.rowFor(ctx, s.src.ID, latest); err == nil {
			if _, err := a.store.SaveSyncPage(ctx, s.src.ID, []storage.Resource{storeResource(s.src.ID, latest)}, []storage.Referral{row}); err != nil {
				return Outcome{}, err
			}
		}
	}
	if err := a.store.MarkChange(ctx, c.ID, storage.ChangeConflict, Explain(why)); err != nil {
		return Outcome{}, err
	}
	if err := a.store.SettleFollowers(ctx, c.ID, storage.ChangeConflict, say(reasonEarlierNotSent)); err != nil {
		return Outcome{}, err
	}
	c, err := a.store.Change(ctx, c.ID)
	return Outcome{Change: changeOf(c)}, err
}

// refused records a change the platform (or the data) will not take as it is.
func (a *App) refused(ctx context.Context, c storage.Change, err error) (Outcome, error) {
	if merr := a.store.MarkChange(ctx, c.ID, storage.ChangeRefused, Explain(err)); merr != nil {
		return Outcome{}, merr
	}
	if merr := a.store.SettleFollowers(ctx, c.ID, storage.ChangeRefused, say(reasonEarlierNotSent)); merr != nil {
		return Outcome{}, merr
	}
	c, merr := a.store.Change(ctx, c.ID)
	return Outcome{Change: changeOf(c)}, merr
}

// failed sorts a send error: refusals are final, the rest stay queued.
func (a *App) failed(ctx context.Context, s *session, c storage.Change, err error) (Outcome, error) {
	switch {
	case isSignInNeeded(err):
		a.noteFailure(ctx, s.src.ID, err)
		o, qerr := a.queued(ctx, c.ID, err)
		if qerr != nil {
			return o, qerr
		}
		return o, err
	case !refusedByPlatform(err):
		return a.queued(ctx, c.ID, err)
	}
	return a.refused(ctx, c, err)
}

// refusedByPlatform reports a send error that settles the change: the
// platform refused it, no longer has the referral, or answered something
// unusable. Anything else — offline, a fault of the platform's, a
// cancellation, a problem on this computer (a full disk while saving a
// refreshed token) or a bug here — leaves the change queued, since the
// platform refused nothing.
func refusedByPlatform(err error) bool {
	switch KindOf(err) {
	case KindRefused, KindNotFound, KindDamaged, KindUnsafe, KindInvalid, KindConflict:
		return true
	}
	return false
}

// rowFor computes a Task's inbox row using what is stored for its references.
func (a *App) rowFor(ctx context.Context, source int64, task fhir.Resource) (storage.Referral, error) {
	rs := newResources(ctx, a.store, source)
	rs.bring(task)
	return referralRow(source, task, rs)
}
