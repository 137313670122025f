// Package app is what Referral Desk does, in its own words: sources, sign-in,
// sync, referrals and the changes a case worker sends back. The desktop UI and
// the command line both drive it. No Fyne, no SQL, no HTTP details here.
package app

import "github.com/referraldesk/referraldesk/fhir"

// transitions are the IG's allowed status changes for a referral recipient
// (SDOH Clinical Care IG, "Checking Task Status"; ../shared/docs/referral-workflow.md).
// entered-in-error is the requester's alone, so it is not offered here.
var transitions = map[string][]string{
	fhir.StatusRequested:  {fhir.StatusAccepted, fhir.StatusRejected, fhir.StatusCancelled},
	fhir.StatusAccepted:   {fhir.StatusInProgress, fhir.StatusOnHold, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusCancelled},
	fhir.StatusInProgress: {fhir.StatusOnHold, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusCancelled},
	fhir.StatusOnHold:     {fhir.StatusInProgress, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusCancelled},
}

// NextStatuses lists the statuses a case worker may move a referral to from status.
// Older servers may still send "received"; it is read as "requested" and never written.
func NextStatuses(status string) []string {
	if status == fhir.StatusReceived {
		status = fhir.StatusRequested
	}
	return transitions[status]
}

// CanMove reports whether from → to is a change the IG allows the recipient to make.
func CanMove(from, to string) bool {
	for _, s := range NextStatuses(from) {
		if s == to {
			return true
		}
	}
	return false
}

// NeedsReason reports whether moving to status requires a reason
// (the IG: statusReason should be given for rejected, cancelled, on-hold, failed).
func NeedsReason(status string) bool {
	switch status {
	case fhir.StatusRejected, fhir.StatusCancelled, fhir.StatusOnHold, fhir.StatusFailed:
		return true
	}
	return false
}

// Closed reports whether a referral in status is finished.
func Closed(status string) bool {
	switch status {
	case fhir.StatusRejected, fhir.StatusCancelled, fhir.StatusCompleted, fhir.StatusFailed, fhir.StatusEnteredInError:
		return true
	}
	return false
}

// ActionName is the case worker's word for moving to status.
func ActionName(from, to string) string {
	switch to {
	case fhir.StatusAccepted:
		return "Accept"
	case fhir.StatusRejected:
		return "Decline"
	case fhir.StatusInProgress:
		if from == fhir.StatusOnHold {
			return "Resume"
		}
		return "Start"
	case fhir.StatusOnHold:
		return "Put on hold"
	case fhir.StatusCompleted:
		return "Complete"
	case fhir.StatusFailed:
		return "Could not complete"
	case fhir.StatusCancelled:
		return "Cancel"
	}
	return to
}

// StatusLabel is how a status reads in the inbox.
func StatusLabel(status string) string {
	switch status {
	case fhir.StatusRequested, fhir.StatusReceived:
		return "New"
	case fhir.StatusAccepted:
		return "Accepted"
	case fhir.StatusRejected:
		return "Declined"
	case fhir.StatusInProgress:
		return "In progress"
	case fhir.StatusOnHold:
		return "On hold"
	case fhir.StatusCompleted:
		return "Completed"
	case fhir.StatusFailed:
		return "Could not complete"
	case fhir.StatusCancelled:
		return "Cancelled"
	case fhir.StatusEnteredInError:
		return "Withdrawn (entered in error)"
	case fhir.StatusDraft:
		return "Draft"
	}
	return status
}
