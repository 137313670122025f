package storage

import (
	"context"
	"maps"
	"slices"
	"testing"
)

// inboxFixture stores five referrals over two sources; received order is d c b a e:
// c, authored 2025-03-02 23:00 at -05:00, is 04:00Z on the 3rd, after b's bare date.
// Their ranks are those the app gives their status and priority.
func inboxFixture(t *testing.T) (db *DB, s1, s2 int64) {
	t.Helper()
	db = openTest(t)
	s1 = addSource(t, db, "https://one.example/fhir")
	s2 = addSource(t, db, "https://two.example/fhir")
	rows := []Referral{
		{SourceID: s1, TaskID: "a", Status: "requested", Priority: "routine", StatusRank: 0, PriorityRank: 3, Category: "food-insecurity",
			Person: "María López", Need: "Food pantry", Requester: "Eastside Clinic", AuthoredOn: "2025-03-01T10:00:00Z"},
		{SourceID: s1, TaskID: "b", Status: "accepted", Priority: "stat", StatusRank: 2, PriorityRank: 0, Category: "housing-instability",
			Person: "John Smith", Need: "Housing", Requester: "Westside Hospital", AuthoredOn: "2025-03-03"},
		{SourceID: s2, TaskID: "c", Status: "in-progress", Priority: "urgent", StatusRank: 3, PriorityRank: 2, Category: "food-insecurity",
			Person: "Ann Lee", Need: "Meals", Requester: "Eastside Clinic", AuthoredOn: "2025-03-02T23:00:00-05:00"},
		{SourceID: s2, TaskID: "d", Status: "requested", Priority: "asap", StatusRank: 0, PriorityRank: 1, Category: "transportation-insecurity",
			Person: "Bob Stone", Need: "Rides", Requester: "Dr. Jones", AuthoredOn: "2025-03-04T08:00:00Z"},
		{SourceID: s1, TaskID: "e", Status: "completed", StatusRank: 5, PriorityRank: 4, Category: "food-insecurity",
			Person: "Eve Adams", Need: "SNAP application", Requester: "Eastside Clinic", AuthoredOn: "2025-02-28T10:00:00Z"},
	}
	for _, r := range rows {
		savePage(t, db, r.SourceID, nil, []Referral{r})
	}
	return db, s1, s2
}

func taskIDs(rs []Referral) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.TaskID)
	}
	return ids
}

func TestInboxFiltersSortsAndCounts(t *testing.T) {
	db, _, s2 := inboxFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		f    InboxFilter
		want []string
	}{
		{"all, newest first", InboxFilter{}, []string{"d", "c", "b", "a", "e"}},
		{"oldest first", InboxFilter{Order: OldestFirst}, []string{"e", "a", "b", "c", "d"}},
		{"by priority", InboxFilter{Order: ByPriorityRank}, []string{"b", "d", "c", "a", "e"}},
		{"by status", InboxFilter{Order: ByStatusRank}, []string{"d", "a", "b", "c", "e"}},
		{"one status", InboxFilter{Statuses: []string{"requested"}}, []string{"d", "a"}},
		{"one source", InboxFilter{SourceID: s2}, []string{"d", "c"}},
		{"category", InboxFilter{Category: "food-insecurity"}, []string{"c", "a", "e"}},
		{"statuses and category", InboxFilter{Statuses: []string{"requested", "in-progress"}, Category: "food-insecurity"}, []string{"c", "a"}},
		{"search person, any case and accents", InboxFilter{Search: " LÓPEZ "}, []string{"a"}},
		{"search loaded the index: oldest first", InboxFilter{Order: OldestFirst, Category: "food-insecurity"}, []string{"e", "a", "c"}},
		{"oldest first page", InboxFilter{Order: OldestFirst, Limit: 2, Offset: 1}, []string{"a", "b"}},
		{"search need", InboxFilter{Search: "snap"}, []string{"e"}},
		{"search requester", InboxFilter{Search: "eastside"}, []string{"c", "a", "e"}},
		{"search is literal", InboxFilter{Search: "%"}, nil},
		{"page", InboxFilter{Limit: 2, Offset: 1}, []string{"c", "b"}},
		{"no match", InboxFilter{Statuses: []string{"failed"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Referrals(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if ids := taskIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("Referrals = %v, want %v", ids, tt.want)
			}
			n, err := db.CountReferrals(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			wantN := len(tt.want)
			if tt.f.Limit > 0 {
				wantN = 5 // count ignores paging
			}
			if n != wantN {
				t.Errorf("CountReferrals = %d, want %d", n, wantN)
			}
		})
	}
	if _, err := db.Referrals(ctx, InboxFilter{Order: 99}); err == nil {
		t.Error("Referrals accepted an unknown order")
	}
}

// CountByStatus counts each status under the filters and the search, in
// SQL before a search loads the index and from the index after.
func TestCountByStatus(t *testing.T) {
	db, _, s2 := inboxFixture(t)
	ctx := context.Background()
	for _, index := range []bool{false, true} {
		if index {
			loadIndex(t, db)
		}
		for _, tt := range []struct {
			f    InboxFilter
			want map[string]int
		}{
			{InboxFilter{}, map[string]int{"requested": 2, "accepted": 1, "in-progress": 1, "completed": 1}},
			{InboxFilter{Statuses: []string{"accepted"}, Category: "food-insecurity"},
				map[string]int{"requested": 1, "in-progress": 1, "completed": 1}},
			{InboxFilter{SourceID: s2}, map[string]int{"requested": 1, "in-progress": 1}},
			{InboxFilter{Category: "nope"}, map[string]int{}},
		} {
			got, err := db.CountByStatus(ctx, tt.f)
			if err != nil || !maps.Equal(got, tt.want) {
				t.Errorf("CountByStatus(%+v) (index %v) = %v, %v; want %v", tt.f, index, got, err, tt.want)
			}
		}
	}
	// A search is always answered by the index.
	got, err := db.CountByStatus(ctx, InboxFilter{Search: "EASTSIDE"})
	if want := map[string]int{"requested": 1, "in-progress": 1, "completed": 1}; err != nil || !maps.Equal(got, want) {
		t.Errorf("CountByStatus of a search = %v, %v; want %v", got, err, want)
	}
}

func TestInboxPending(t *testing.T) {
	db, s1, s2 := inboxFixture(t)
	ctx := context.Background()
	c, err := db.Enqueue(ctx, Change{SourceID: s2, TaskID: "c", FromStatus: "in-progress", ToStatus: "completed"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Enqueue(ctx, Change{SourceID: s1, TaskID: "a", FromStatus: "requested", ToStatus: "accepted"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkChange(ctx, a, ChangeSent, ""); err != nil {
		t.Fatal(err)
	}
	pending := func() []string {
		t.Helper()
		rs, err := db.Referrals(ctx, InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rs {
			if r.Pending {
				ids = append(ids, r.TaskID)
			}
		}
		return ids
	}
	if got := pending(); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("pending = %v, want [c]", got)
	}
	if err := db.MarkChange(ctx, c, ChangeSending, ""); err != nil {
		t.Fatal(err)
	}
	if r, _ := db.Referral(ctx, s2, "c"); !r.Pending {
		t.Error("a sending change is not pending")
	}
	if err := db.MarkChange(ctx, c, ChangeConflict, "412"); err != nil {
		t.Fatal(err)
	}
	if got := pending(); got != nil {
		t.Fatalf("pending after conflict = %v, want none", got)
	}
}

func TestFindReferralsAcrossSources(t *testing.T) {
	db, s1, s2 := inboxFixture(t)
	ctx := context.Background()
	_, dup := task("a", "1", "")
	savePage(t, db, s2, nil, []Referral{dup})
	got, err := db.FindReferrals(ctx, "a")
	if err != nil || len(got) != 2 || got[0].SourceID != s1 || got[1].SourceID != s2 {
		t.Fatalf("FindReferrals = %+v, %v", got, err)
	}
	if got, err := db.FindReferrals(ctx, "zzz"); err != nil || len(got) != 0 {
		t.Fatalf("FindReferrals of none = %+v, %v", got, err)
	}
}

// Ranks are small numbers from 0: a row with another fails its page.
func TestRankOutOfRangeIsRefused(t *testing.T) {
	db := openTest(t)
	src := addSource(t, db, "https://a.example/fhir")
	for _, bad := range []Referral{{TaskID: "a", StatusRank: -1}, {TaskID: "a", PriorityRank: MaxRank + 1}} {
		if _, err := db.SaveSyncPage(context.Background(), src, nil, []Referral{bad}); err == nil {
			t.Errorf("SaveSyncPage accepted ranks %d and %d", bad.StatusRank, bad.PriorityRank)
		}
	}
}
