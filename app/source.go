package app

import (
	"context"
	"time"

	"github.com/referraldesk/referraldesk/storage"
)

// Source is a connected referral platform, as the window and the command
// line show it. How to sign in to it (its SMART configuration, its tokens)
// stays inside app.
type Source struct {
	ID           int64
	Name         string
	FHIRBase     string
	ClientID     string // issued by or registered with the platform
	RedirectPort int    // fixed loopback port of the sign-in; 0 = any
	Owner        string // whose referrals are received, e.g. "Organization/cbo-eastside"
	State        SourceState
	StateDetail  string    // why it cannot be synced, or which permissions the sign-in lacks
	Watermark    string    // the platform's time of the last complete sync; "" = never
	LastSyncAt   time.Time // local time of the last complete sync; zero = never
	Waiting      int       // changes made here waiting to be sent to it
	// ClientUnknown: the platform no longer knows Referral Desk's client id
	// (it was reset, or dropped the registration). Signing in again
	// registers anew where the platform allows, else needs a client id.
	ClientUnknown bool
	// Capacity is what the organization said of its capacity for this
	// platform's referrals (Capacities; "" = never said), with its note.
	Capacity, CapacityNote string
}

// SourceState says whether a platform can be synced.
type SourceState string

const (
	SourceOK          SourceState = "ok"
	SourceNeedsSignIn SourceState = "needs-sign-in" // the platform ended the sign-in
	SourceError       SourceState = "error"         // the platform refused the last sync
)

// sourceOf is the platform a stored source row describes.
func sourceOf(s storage.Source) Source {
	return Source{ID: s.ID, Name: s.Name, FHIRBase: s.FHIRBase, ClientID: s.ClientID, RedirectPort: s.RedirectPort,
		Owner: s.Owner, State: sourceStateOf(s.State), StateDetail: s.StateDetail, Watermark: s.Watermark,
		LastSyncAt: s.LastSyncAt, Capacity: s.Capacity, CapacityNote: s.CapacityNote,
		ClientUnknown: s.ClientID == "" && s.State == storage.StateNeedsSignIn} // ForgetClient
}

// stored is s as the store keeps it.
func (s SourceState) stored() storage.SourceState {
	switch s {
	case SourceOK:
		return storage.StateOK
	case SourceNeedsSignIn:
		return storage.StateNeedsSignIn
	}
	return storage.StateError
}

func sourceStateOf(s storage.SourceState) SourceState {
	switch s {
	case storage.StateOK:
		return SourceOK
	case storage.StateNeedsSignIn:
		return SourceNeedsSignIn
	}
	return SourceError
}

// Sources lists the connected platforms.
func (a *App) Sources(ctx context.Context) ([]Source, error) {
	rows, err := a.store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	waiting, err := a.store.WaitingChanges(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Source, len(rows))
	for i, s := range rows {
		out[i] = sourceOf(s)
		out[i].Waiting = waiting[s.ID]
	}
	return out, nil
}

// Source returns one connected platform, with its changes waiting to be sent.
func (a *App) Source(ctx context.Context, id int64) (Source, error) {
	s, err := a.store.Source(ctx, id)
	if err != nil {
		return Source{}, err
	}
	waiting, err := a.store.WaitingChanges(ctx)
	if err != nil {
		return Source{}, err
	}
	src := sourceOf(s)
	src.Waiting = waiting[id]
	return src, nil
}
