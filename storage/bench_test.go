package storage

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"unsafe"
)

var (
	benchFirst      = []string{"Maria", "James", "Aisha", "Wei", "Olga", "Carlos", "Fatima", "John", "Priya", "Kofi"}
	benchLast       = []string{"García", "Smith", "Nguyễn", "Okafor", "Kowalski", "Haddad", "Johnson", "Patel", "Mensah", "López"}
	benchCategories = []string{"food-insecurity", "housing-instability", "transportation-insecurity", "financial-insecurity"}
	benchStatuses   = []string{"requested", "accepted", "in-progress", "on-hold", "completed", "rejected"}
	benchPriorities = []string{"routine", "urgent", "asap", "stat"}
)

// benchPage returns page p of n referral Tasks with their inbox rows.
func benchPage(p, n int) ([]Resource, []Referral) {
	res := make([]Resource, 0, n)
	refs := make([]Referral, 0, n)
	for i := range n {
		k := p*n + i
		id := fmt.Sprintf("task-%07d", k)
		updated := fmt.Sprintf("2025-%02d-%02dT%02d:%02d:00Z", 1+k%12, 1+k%28, k%24, k%60)
		res = append(res, Resource{Type: "Task", ID: id, VersionID: "1", LastUpdated: updated,
			JSON: fmt.Appendf(nil, `{"resourceType":"Task","id":%q,"status":"requested","intent":"order"}`, id)})
		refs = append(refs, Referral{TaskID: id, Status: benchStatuses[k%len(benchStatuses)],
			Priority: benchPriorities[k%len(benchPriorities)], StatusRank: k % len(benchStatuses),
			PriorityRank: len(benchPriorities) - 1 - k%len(benchPriorities), Category: benchCategories[k%len(benchCategories)],
			Person: benchFirst[k%10] + " " + benchLast[(k/10)%10], Need: "Assistance with application for food pantry program",
			Requester: "Eastside Community Clinic", AuthoredOn: updated, LastUpdated: updated, VersionID: "1",
			Consent: "active", FocusRef: "ServiceRequest/sr-" + id, PatientRef: fmt.Sprintf("Patient/p-%d", k),
			Phones: []string{fmt.Sprintf("(503) 555-%04d", k%10_000)}})
	}
	return res, refs
}

// One op stores 100 pages of 100 new referral Tasks (Task resource and inbox row each).
func BenchmarkSaveSyncPage(b *testing.B) {
	db := openTest(b)
	src := addSource(b, db, "https://a.example/fhir")
	ctx := context.Background()
	const pages, perPage = 100, 100
	op := 0
	for b.Loop() {
		for p := range pages {
			res, refs := benchPage(op*pages+p, perPage)
			if _, err := db.SaveSyncPage(ctx, src, res, refs); err != nil {
				b.Fatal(err)
			}
		}
		op++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(op*pages*perPage), "ns/referral")
}

// Inbox queries over 100 000 referrals.
func BenchmarkReferrals(b *testing.B) {
	db := openTest(b)
	src := addSource(b, db, "https://a.example/fhir")
	ctx := context.Background()
	const total, perPage = 100_000, 1000
	for p := range total / perPage {
		res, refs := benchPage(p, perPage)
		if _, err := db.SaveSyncPage(ctx, src, res, refs); err != nil {
			b.Fatal(err)
		}
	}
	_, rare := benchPage(total, 1)
	rare[0].Person = "Xiomara Vandersloot"
	if _, err := db.SaveSyncPage(ctx, src, nil, rare); err != nil {
		b.Fatal(err)
	}
	if err := db.FinishSync(ctx, src, "2025-12-31T00:00:00Z", t0); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		f    InboxFilter
		want int // rows expected, -1 = any
	}{
		{"SearchRare", InboxFilter{Search: "vandersloot"}, 1},
		{"SearchCommonFirstPage", InboxFilter{Search: "garcia", Limit: 50}, 50},
		{"SearchCommonAll", InboxFilter{Search: "garcia"}, -1},
		{"SearchAccentFirstPage", InboxFilter{Search: "LÓPEZ", Limit: 50}, 50},
		{"SearchPhone", InboxFilter{Search: "(503) 555-0112"}, 10},
		{"SearchPhonePartFirstPage", InboxFilter{Search: "555-01", Limit: 50}, 50},
		{"StatusFirstPage", InboxFilter{Statuses: []string{"requested", "accepted"}, Limit: 50}, 50},
		{"SourceStatusPriorityFirstPage", InboxFilter{SourceID: src, Statuses: []string{"requested", "accepted"}, Order: ByPriorityRank, Limit: 50}, 50},
		{"ReceivedFirstPage", InboxFilter{Limit: 50}, 50},
		{"PriorityFirstPage", InboxFilter{Order: ByPriorityRank, Limit: 50}, 50},
		{"CategoryOffsetPage", InboxFilter{Category: "food-insecurity", Limit: 50, Offset: 10_000}, 50},
	}
	run := func(b *testing.B, name string, f InboxFilter, want int) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				rs, err := db.Referrals(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if want >= 0 && len(rs) != want {
					b.Fatalf("%d rows, want %d", len(rs), want)
				}
			}
		})
	}
	count := func(b *testing.B, name string, f InboxFilter) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.CountReferrals(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	views := []struct {
		name     string
		statuses []string
	}{{"New", []string{"requested", "received"}}, {"Active", []string{"accepted", "in-progress", "on-hold"}},
		{"Closed", []string{"completed", "failed", "rejected", "cancelled", "entered-in-error"}}, {"All", nil}}
	// Without a search SQL answers until a search loads the index: the same
	// queries both ways, to choose.
	for _, c := range cases {
		if c.f.Search == "" {
			run(b, "SQL/"+c.name, c.f, c.want)
		}
	}
	for _, v := range views {
		count(b, "SQL/Count"+v.name, InboxFilter{Statuses: v.statuses})
	}
	b.Run("IndexLoad", func(b *testing.B) {
		var before, after runtime.MemStats
		for b.Loop() {
			db.inbox.mu.Lock()
			db.inbox.unload()
			db.inbox.mu.Unlock()
			runtime.GC()
			runtime.ReadMemStats(&before)
			if err := db.loadInbox(ctx); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "heap-MB")
		b.ReportMetric(float64(db.inbox.sizeBytes())/1e6, "index-MB")
	})
	for _, c := range cases {
		run(b, c.name, c.f, c.want)
	}
	count(b, "CountSearch", InboxFilter{Search: "garcia"})
	for _, v := range views {
		count(b, "Count"+v.name, InboxFilter{Statuses: v.statuses})
	}
	// The window's four view counts in one pass, as each keystroke asks.
	for _, f := range []InboxFilter{{}, {Search: "garcia"}, {Search: "555-01"}} {
		b.Run("CountByStatus/"+f.Search, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.CountByStatus(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sizeBytes estimates the index's memory: entries, their strings, the words and their map.
func (x *inboxIndex) sizeBytes() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := cap(x.entries) * int(unsafe.Sizeof(inboxEntry{}))
	for _, e := range x.entries {
		n += len(e.authored) + len(e.person) + len(e.phones)
	}
	for _, w := range x.words.strs {
		n += 2*len(w) + 2*int(unsafe.Sizeof(w)) + 4 // the slice and the map's key and value
	}
	for raw := range x.words.raw {
		n += len(raw) + int(unsafe.Sizeof(raw)) + 4
	}
	return n
}
