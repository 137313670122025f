package app

import "github.com/referraldesk/referraldesk/storage"

// Names the window needs from storage, re-exported so the UI depends on app alone.

// Inbox sort orders.
const (
	SortReceived = storage.SortReceived // newest first
	SortPriority = storage.SortPriority // most urgent first
	SortStatus   = storage.SortStatus   // workflow order
)

// Where a queued status change is.
const (
	ChangePending  = storage.ChangePending
	ChangeSending  = storage.ChangeSending
	ChangeSent     = storage.ChangeSent
	ChangeConflict = storage.ChangeConflict
	ChangeRefused  = storage.ChangeRefused
)
