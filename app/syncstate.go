package app

import (
	"time"
)

// SyncState is how a platform's sync stands, as the sync status shows it.
type SyncState int

const (
	SyncNever       SyncState = iota // connected, not synced yet
	SyncOK                           // the last sync worked
	SyncRunning                      // syncing now
	SyncOffline                      // the platform could not be reached; it will be tried again
	SyncNeedsSignIn                  // the platform ended the sign-in
	SyncError                        // the last sync failed for another reason
)

// SourceStatus is one platform's sync status.
type SourceStatus struct {
	Source   Source
	State    SyncState
	Say      string    // one sentence for the case worker ("" when all is well)
	LastSync time.Time // last complete sync; zero = never
}

// StatusOf works out a platform's sync status from what is stored, whether a
// sync is running, and the error of the last sync this session (nil if none).
// Temporary failures do not change the stored state, so they come from lastErr.
func StatusOf(src Source, running bool, lastErr error) SourceStatus {
	st := SourceStatus{Source: src, LastSync: src.LastSyncAt}
	switch {
	case running:
		st.State = SyncRunning
	case src.State == SourceNeedsSignIn:
		st.State, st.Say = SyncNeedsSignIn, src.StateDetail
		if st.Say == "" {
			st.Say = say(reasonKeepReceiving)
		}
		if src.ClientUnknown {
			st.Say = clientUnknownSay(src.Name)
		}
	case lastErr != nil && KindOf(lastErr) == KindOffline:
		st.State, st.Say = SyncOffline, Explain(lastErr)
	case lastErr != nil:
		st.State, st.Say = SyncError, Explain(lastErr)
	case src.State == SourceError:
		st.State, st.Say = SyncError, src.StateDetail
	case src.LastSyncAt.IsZero():
		st.State = SyncNever
	default:
		st.State = SyncOK
	}
	return st
}
