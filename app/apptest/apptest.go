// Package apptest fills Referral Desk's data folder the way syncs would have
// left it, without a platform: a benchmark of the screens over 100 000
// referrals has them stored in seconds rather than synced in minutes.
package apptest

import (
	"context"
	"path/filepath"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/storage"
)

// pageSize is how many referrals one transaction stores, as a sync page would.
const pageSize = 1000

// FillInbox adds src to the database in dir (app.Open's) and stores refs as
// its referrals, in pages, ranked as a sync ranks them; the platform is then
// synced at syncedAt. It returns the source's id.
func FillInbox(dir string, src app.Source, refs []app.Referral, syncedAt time.Time) (int64, error) {
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(dir, app.DatabaseName))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	id, err := st.AddSource(ctx, storage.Source{Name: src.Name, FHIRBase: src.FHIRBase, ClientID: src.ClientID,
		RedirectPort: src.RedirectPort, Owner: src.Owner, State: storage.StateOK})
	if err != nil {
		return 0, err
	}
	for len(refs) > 0 {
		n := min(len(refs), pageSize)
		rows := make([]storage.Referral, n)
		for i, r := range refs[:n] {
			rows[i] = row(r)
		}
		if _, err := st.SaveSyncPage(ctx, id, nil, rows); err != nil {
			return 0, err
		}
		refs = refs[n:]
	}
	return id, st.FinishSync(ctx, id, syncedAt.UTC().Format(time.RFC3339), syncedAt)
}

// row is the inbox row a sync would store for r.
func row(r app.Referral) storage.Referral {
	return storage.Referral{TaskID: r.TaskID, Status: r.Status, Priority: r.Priority,
		StatusRank: app.StatusRank(r.Status), PriorityRank: app.PriorityRank(r.Priority), Person: r.Person,
		Need: r.Need, Category: r.Category, Requester: r.Requester, AuthoredOn: r.AuthoredOn,
		LastUpdated: r.AuthoredOn, VersionID: r.VersionID, DoNotContact: r.DoNotContact, Consent: r.Consent,
		SeenAt: r.SeenAt, ReceivedAt: r.ReceivedAt}
}
