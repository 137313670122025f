package app

import (
	"cmp"

	"github.com/referraldesk/referraldesk/fhir"
)

// stage is where a status stands in the referral workflow; the inbox's
// views are the stages.
type stage int

const (
	stageNone   stage = iota // in no view but All
	stageNew                 // waiting for the organization to accept or decline
	stageActive              // accepted, under way
	stageClosed              // finished
)

type status struct {
	code  string
	label string // how it reads in the inbox
	stage stage
}

// workflow is the one list of the statuses a referral Task can have, in the
// order the inbox sorts them "By status": work waiting on the organization
// first, then work under way, then finished work (SDOH Clinical Care IG,
// ../shared/docs/referral-workflow.md). Every other list of statuses is made
// from it: the views, the statuses the command line accepts, and the ranks
// the store sorts by (StatusRank).
var workflow = []status{
	{fhir.StatusRequested, "New", stageNew},
	// Not allowed since IG 2.1.0; older servers may still send it: read as new, never written.
	{fhir.StatusReceived, "New", stageNew},
	{fhir.StatusAccepted, "Accepted", stageActive},
	{fhir.StatusInProgress, "In progress", stageActive},
	{fhir.StatusOnHold, "On hold", stageActive},
	{fhir.StatusCompleted, "Completed", stageClosed},
	{fhir.StatusFailed, "Could not complete", stageClosed},
	{fhir.StatusRejected, "Declined", stageClosed},
	{fhir.StatusCancelled, "Cancelled", stageClosed},
	{fhir.StatusEnteredInError, "Withdrawn (entered in error)", stageClosed},
}

// unranked are FHIR Task statuses that are no referral's in the IG: draft is
// the requester's before sending, ready is not allowed. A platform may still
// send them; they sort with codes nobody knows, after the workflow.
var unranked = []status{
	{fhir.StatusDraft, "Draft", stageNone},
	{fhir.StatusReady, fhir.StatusReady, stageNone},
}

func statusOf(code string) (status, int, bool) {
	for i, s := range workflow {
		if s.code == code {
			return s, i, true
		}
	}
	for _, s := range unranked {
		if s.code == code {
			return s, len(workflow), true
		}
	}
	return status{code: code, label: code}, len(workflow), false
}

// KnownStatus reports whether code is a FHIR Task status a referral can have.
func KnownStatus(code string) bool {
	_, _, ok := statusOf(code)
	return ok
}

// StatusRank is a status's place in the workflow order ("By status"), from
// 0; unknown codes, draft and ready share the last place.
func StatusRank(code string) int {
	_, rank, _ := statusOf(code)
	return rank
}

// StatusLabel is how a status reads in the inbox.
func StatusLabel(code string) string {
	s, _, _ := statusOf(code)
	return s.label
}

// Closed reports whether a referral in status is finished.
func Closed(code string) bool {
	s, _, _ := statusOf(code)
	return s.stage == stageClosed
}

// isNew reports a referral nobody at the organization has accepted or declined.
func isNew(code string) bool {
	s, _, _ := statusOf(code)
	return s.stage == stageNew
}

// Views of the inbox, as the case worker thinks of them: the statuses of each stage.
var (
	ViewNew    = statusesIn(stageNew)
	ViewActive = statusesIn(stageActive)
	ViewClosed = statusesIn(stageClosed)
)

func statusesIn(st stage) []string {
	var out []string
	for _, s := range workflow {
		if s.stage == st {
			out = append(out, s.code)
		}
	}
	return out
}

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

// actionWords are how the case worker's moves read: the button, what it
// did, and the button that confirms one asking for a reason.
type actionWords struct{ name, done, confirm string }

// moves are the words of each move, by the status it leaves the referral
// in. Never a bare "Cancel": beside the buttons of a dialog it would read
// as "close this".
var moves = map[string]actionWords{
	fhir.StatusAccepted:   {"Accept", "Accepted", ""},
	fhir.StatusRejected:   {"Decline", "Declined", "Decline the referral"},
	fhir.StatusInProgress: {"Start", "Started", ""},
	fhir.StatusOnHold:     {"Put on hold", "Put on hold", "Put it on hold"},
	fhir.StatusCompleted:  {"Complete", "Completed", ""},
	fhir.StatusFailed:     {"Could not complete", "Closed as not completed", "Close as not completed"},
	fhir.StatusCancelled:  {"Cancel referral", "Cancelled", "Cancel the referral"},
}

// resuming is in progress again after on hold.
var resuming = actionWords{"Resume", "Resumed", ""}

// wordsFor are the words of moving from one status to another; an unknown
// status reads as itself.
func wordsFor(from, to string) actionWords {
	if to == fhir.StatusInProgress && from == fhir.StatusOnHold {
		return resuming
	}
	if w, ok := moves[to]; ok {
		return w
	}
	return actionWords{to, to, to}
}

// ActionName is the case worker's word for moving to status.
func ActionName(from, to string) string { return wordsFor(from, to).name }

// ActionDone says, in the past tense, what moving to status did:
// "Accepted", "Put on hold"…
func ActionDone(from, to string) string { return wordsFor(from, to).done }

// ActionConfirm is the button that confirms a change asking for a reason:
// it says what it does ("Cancel the referral"), beside "Keep it".
func ActionConfirm(to string) string {
	w := wordsFor("", to)
	return cmp.Or(w.confirm, w.name)
}
