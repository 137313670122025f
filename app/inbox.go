package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/referraldesk/referraldesk/storage"
)

// InboxFilter narrows the inbox: statuses, platform, category, search text, sort.
type InboxFilter = storage.InboxFilter

// Inbox lists referrals across all platforms.
func (a *App) Inbox(ctx context.Context, f InboxFilter) ([]Referral, error) {
	return a.store.Referrals(ctx, f)
}

// CountInbox counts the referrals a filter matches.
func (a *App) CountInbox(ctx context.Context, f InboxFilter) (int, error) {
	return a.store.CountReferrals(ctx, f)
}

// FindReferral resolves what a person typed to one referral: "TASKID" when it
// is unique across platforms, or "SOURCE/TASKID".
func (a *App) FindReferral(ctx context.Context, key string) (Referral, error) {
	if src, id, ok := strings.Cut(key, "/"); ok {
		if n, err := strconv.ParseInt(src, 10, 64); err == nil {
			return a.store.Referral(ctx, n, id)
		}
		if src == "Task" {
			key = id
		}
	}
	rows, err := a.store.FindReferrals(ctx, key)
	if err != nil {
		return Referral{}, err
	}
	switch len(rows) {
	case 0:
		return Referral{}, problem(storage.ErrNotFound, "No referral %q here. Sync first, or check the id.", key)
	case 1:
		return rows[0], nil
	}
	var opts []string
	for _, r := range rows {
		opts = append(opts, fmt.Sprintf("%d/%s", r.SourceID, r.TaskID))
	}
	return Referral{}, problem(nil, "Several platforms have a referral %q; say which: %s.", key, strings.Join(opts, ", "))
}

// PrepareSearch loads the inbox's search index ahead of the first keystroke
// (about 0.4 s for 100 000 referrals), so typing is fast from the start.
func (a *App) PrepareSearch(ctx context.Context) error {
	return a.store.PrepareSearch(ctx)
}
