package app

import "github.com/referraldesk/referraldesk/storage"

// Names the window needs from storage, re-exported so the UI depends on app alone.

// Where a queued status change is.
const (
	ChangePending  = storage.ChangePending
	ChangeSending  = storage.ChangeSending
	ChangeSent     = storage.ChangeSent
	ChangeConflict = storage.ChangeConflict
	ChangeRefused  = storage.ChangeRefused
)
