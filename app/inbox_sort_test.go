package app_test

import (
	"slices"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// "Most urgent first" and "By status" follow PriorityRank and StatusRank,
// newest first within a rank, and "Oldest first" is newest first backwards,
// whether the store answers in SQL or from its search index (which a search
// loads).
func TestInboxSortsFollowTheRanks(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 80})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	for _, index := range []bool{false, true} {
		if index {
			if _, err := w.app.CountInbox(w.ctx, app.InboxFilter{Search: "a"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			sort app.SortOrder
			rank func(app.Referral) int
		}{
			{app.SortPriority, func(r app.Referral) int { return app.PriorityRank(r.Priority) }},
			{app.SortStatus, func(r app.Referral) int { return app.StatusRank(r.Status) }},
		} {
			refs, err := w.app.Inbox(w.ctx, app.InboxFilter{Sort: tt.sort})
			if err != nil {
				t.Fatal(err)
			}
			ranks := map[int]bool{}
			for i, r := range refs {
				ranks[tt.rank(r)] = true
				if i == 0 {
					continue
				}
				prev := refs[i-1]
				before, _ := app.ParseWhen(prev.AuthoredOn)
				at, _ := app.ParseWhen(r.AuthoredOn)
				if tt.rank(prev) > tt.rank(r) || (tt.rank(prev) == tt.rank(r) && before.Before(at)) {
					t.Fatalf("sort %s (index %v): %s (%s, %s, %s) before %s (%s, %s, %s)", tt.sort, index,
						prev.TaskID, prev.Status, prev.Priority, prev.AuthoredOn, r.TaskID, r.Status, r.Priority, r.AuthoredOn)
				}
			}
			if len(ranks) < 2 {
				t.Fatalf("sort %s: the platform's referrals have %d ranks; the test needs several", tt.sort, len(ranks))
			}
		}
		newest, err := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: app.ViewNew})
		if err != nil {
			t.Fatal(err)
		}
		oldest, err := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: app.ViewNew, Sort: app.SortOldest})
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(newest)
		if got, want := taskIDs(oldest), taskIDs(newest); len(got) < 2 || !slices.Equal(got, want) {
			t.Errorf("oldest first (index %v) = %v, want newest first backwards %v", index, got, want)
		}
	}
	if _, err := w.app.Inbox(w.ctx, app.InboxFilter{Sort: "alphabetical"}); err == nil {
		t.Error("Inbox accepted an unknown sort")
	}
}
