package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// inboxWant answers f the way SQL did before the index: SQL filters and
// sorts, then the search text (person, need, requester, folded) or the phone
// digits are matched here, then paged. SQL's answers are kept in cache, if not nil.
func inboxWant(t testing.TB, db *DB, f InboxFilter, cache map[string][]Referral) (page []string, total int) {
	t.Helper()
	all := f
	all.Search, all.Limit, all.Offset = "", 0, 0
	key := fmt.Sprintf("%q %d %q %d", all.Statuses, all.SourceID, all.Category, all.Order) // %v shows [""] as []
	rows, ok := cache[key]
	if !ok {
		var err error
		if rows, err = db.referralsSQL(context.Background(), all); err != nil {
			t.Fatalf("referralsSQL(%+v): %v", all, err)
		}
		if cache != nil {
			cache[key] = rows
		}
	}
	q := parseSearch(f.Search)
	var phones map[string]string
	if q.digits != "" {
		phones = storedPhones(t, db)
	}
	var keys []string
	for _, r := range rows {
		match := strings.Contains(searchText(r.Person+"\n"+r.Need+"\n"+r.Requester), q.text)
		if q.digits != "" {
			match = strings.Contains(phoneDigits(phones[rowKey(r)]), q.digits)
		}
		if match {
			keys = append(keys, rowKey(r))
		}
	}
	total = len(keys)
	keys = keys[min(max(f.Offset, 0), len(keys)):]
	if f.Limit > 0 && len(keys) > f.Limit {
		keys = keys[:f.Limit]
	}
	return keys, total
}

func rowKey(r Referral) string { return referralRowKey(r.SourceID, r.TaskID) }

// checkInbox fails if Referrals or CountReferrals of f differ from inboxWant.
func checkInbox(t testing.TB, db *DB, f InboxFilter, cache map[string][]Referral) {
	t.Helper()
	ctx := context.Background()
	want, wantN := inboxWant(t, db, f, cache)
	rs, err := db.Referrals(ctx, f)
	if err != nil {
		t.Fatalf("Referrals(%+v): %v", f, err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, rowKey(r))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Referrals(%+v)\n got %v\nwant %v", f, got, want)
	}
	if n, err := db.CountReferrals(ctx, f); err != nil || n != wantN {
		t.Errorf("CountReferrals(%+v) = %d, %v; want %d", f, n, err, wantN)
	}
	byStatus, err := db.CountByStatus(ctx, f)
	sum := 0
	for status, n := range byStatus {
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, status) {
			sum += n
		}
	}
	if err != nil || sum != wantN {
		t.Errorf("CountByStatus(%+v) = %v, %v: %d of its statuses, want %d", f, byStatus, err, sum, wantN)
	}
}

var (
	randStatuses   = []string{"requested", "received", "accepted", "in-progress", "on-hold", "completed", "failed", "rejected", "cancelled", "entered-in-error", "draft", ""}
	randPriorities = []string{"stat", "asap", "urgent", "routine", "", "someday"}
	randCategories = []string{"food-insecurity", "housing-instability", "transportation-insecurity", ""}
	randPersons    = []string{"María López", "JOHN Smith", "Ann Lee", "Ødegård Åse", "Zoë Brontë", "Bob\nStone", "İlker Çelik"}
	randNeeds      = []string{"Food pantry", "Housing — RENT", "Meals on wheels", "SNAP application", "Rides to clinic"}
	randRequesters = []string{"Eastside Clinic", "Westside Hospital", "Dr. Jones", ""}
	randPhones     = [][]string{nil, {"(503) 555-0112"}, {"503.555.0199", "+1 971 555 0100"}, {"tel:555-0142"}}
	// Few distinct instants, some the same instant written two ways, some
	// partial dates: sort ties and the id tie-break are common.
	randAuthored = []string{"2025-03-01T10:00:00Z", "2025-03-01T11:00:00+01:00", "2025-03-02", "2025-03",
		"2025-03-02T23:00:00-05:00", "2025-03-04T08:00:00.5Z", ""}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// randomReferral returns the inbox row of task id with random fields. Its
// ranks are random too: storage sorts by the ranks it is given, whatever
// the status and priority.
func randomReferral(rng *rand.Rand, source int64, id string, updated string) Referral {
	return Referral{SourceID: source, TaskID: id, Status: pick(rng, randStatuses), Priority: pick(rng, randPriorities),
		StatusRank: pick(rng, []int{0, 1, 2, 5, 10, MaxRank}), PriorityRank: rng.IntN(5),
		Category: pick(rng, randCategories), Person: pick(rng, randPersons) + fmt.Sprintf(" %d", rng.IntN(50)),
		Need: pick(rng, randNeeds), Requester: pick(rng, randRequesters), AuthoredOn: pick(rng, randAuthored),
		LastUpdated: updated, VersionID: "1", Phones: pick(rng, randPhones)}
}

// randomFilter returns a filter over sources, with a search taken from the
// stored texts about half the time.
func randomFilter(rng *rand.Rand, sources []int64) InboxFilter {
	var f InboxFilter
	if rng.IntN(2) == 0 {
		for range 1 + rng.IntN(3) {
			f.Statuses = append(f.Statuses, pick(rng, randStatuses))
		}
	}
	if rng.IntN(3) == 0 {
		f.SourceID = pick(rng, append(sources, 999))
	}
	if rng.IntN(3) == 0 {
		f.Category = pick(rng, append(randCategories[:3:3], "nope"))
	}
	switch rng.IntN(6) {
	case 0, 1:
	case 2:
		f.Search = pick(rng, []string{"  LÓPEZ ", "zoë", "ÅSE", "çelik", "clinic", "rent", "—", "%", "1", "ob\nst", "clinic\n", "absent",
			"lopez", "zoe", "odegard", "ilker", "555-0112", "(503) 555", "5550", "0100 ", "2 5"})
	default:
		text := pick(rng, randPersons) + "\n" + pick(rng, randNeeds) + "\n" + pick(rng, randRequesters)
		i := rng.IntN(len(text))
		s := text[i:min(len(text), i+1+rng.IntN(6))]
		if rng.IntN(2) == 0 {
			s = strings.ToUpper(s)
		}
		f.Search = s
	}
	f.Order = pick(rng, []Order{NewestFirst, ByPriorityRank, ByStatusRank, OldestFirst})
	if rng.IntN(4) != 0 {
		f.Limit = 1 + rng.IntN(120)
		f.Offset = pick(rng, []int{0, 0, rng.IntN(200), rng.IntN(3000), -1})
	}
	return f
}

// randomInbox stores n random referrals over three sources, in pages.
func randomInbox(t testing.TB, db *DB, rng *rand.Rand, n int) []int64 {
	t.Helper()
	sources := []int64{addSource(t, db, "https://one.example/fhir"), addSource(t, db, "https://two.example/fhir"),
		addSource(t, db, "https://three.example/fhir")}
	for i := 0; i < n; i += 250 {
		pages := map[int64][]Referral{}
		for k := i; k < min(n, i+250); k++ {
			src := pick(rng, sources)
			pages[src] = append(pages[src], randomReferral(rng, src, fmt.Sprintf("t%d", k), "2025-03-01T10:00:00Z"))
		}
		for src, rows := range pages {
			savePage(t, db, src, nil, rows)
		}
	}
	return sources
}

// The index answers random filters, sorts, searches and pages as SQL does.
func TestInboxIndexMatchesSQL(t *testing.T) {
	db := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	sources := randomInbox(t, db, rng, 2000)
	loadIndex(t, db)
	cache := map[string][]Referral{} // the file does not change
	for range 300 {
		checkInbox(t, db, randomFilter(rng, sources), cache)
	}
}

// indexSnapshot is the index's entries with their words resolved.
func indexSnapshot(t testing.TB, db *DB) []string {
	t.Helper()
	x := &db.inbox
	x.mu.RLock()
	defer x.mu.RUnlock()
	if !x.loaded {
		t.Fatal("the inbox index is not loaded")
	}
	w := x.words.strs
	var out []string
	for _, e := range x.entries {
		out = append(out, fmt.Sprintf("%d %d %q %q %q %q %q %q %q %d %d", e.id, e.source, e.authored, e.person, e.phones,
			w[e.need], w[e.requester], w[e.status], w[e.category], e.statusRank, e.priorityRank))
	}
	return out
}

// After each kind of write the index updated in place equals one loaded
// afresh from the file, and answers as SQL does.
func TestInboxIndexFollowsWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	sources := randomInbox(t, db, rng, 600)
	loadIndex(t, db)

	check := func(t *testing.T) {
		t.Helper()
		if db.inbox.loads != 1 {
			t.Fatalf("the index was read from the file %d times, want once: writes did not update it", db.inbox.loads)
		}
		fresh := openAt(t, path)
		loadIndex(t, fresh)
		if got, want := indexSnapshot(t, db), indexSnapshot(t, fresh); !slices.Equal(got, want) {
			t.Errorf("index after the write differs from one loaded afresh:\n got %d entries\nwant %d", len(got), len(want))
		}
		fresh.Close()
		for range 25 {
			checkInbox(t, db, randomFilter(rng, sources), nil)
		}
	}
	writes := []struct {
		name  string
		write func(t *testing.T)
	}{
		{"new and updated rows, one twice", func(t *testing.T) {
			var rows []Referral
			for k := range 40 {
				rows = append(rows, randomReferral(rng, sources[0], fmt.Sprintf("t%d", 2*k), "2025-03-05T10:00:00Z"),
					randomReferral(rng, sources[0], fmt.Sprintf("new%d", k), "2025-03-05T10:00:00Z"))
			}
			last := randomReferral(rng, sources[0], "new0", "2025-03-06T10:00:00Z")
			last.Person, last.Status = "Renamed Twice", "accepted"
			savePage(t, db, sources[0], nil, append(rows, last))
		}},
		{"an older row does not replace a newer one", func(t *testing.T) {
			old := randomReferral(rng, sources[0], "new1", "2025-01-01T00:00:00Z")
			old.Person = "Stale Name"
			if c := savePage(t, db, sources[0], nil, []Referral{old}); c != (SaveCounts{Unchanged: 1}) {
				t.Fatalf("counts = %+v", c)
			}
			if n, _ := db.CountReferrals(ctx, InboxFilter{Search: "stale"}); n != 0 {
				t.Errorf("search found the refused row's name")
			}
		}},
		{"a page that fails stores nothing", func(t *testing.T) {
			bad := []Referral{randomReferral(rng, sources[1], "half", "2025-03-05T10:00:00Z"), {Status: "requested"}}
			if _, err := db.SaveSyncPage(ctx, sources[1], nil, bad); err == nil {
				t.Fatal("SaveSyncPage accepted a row without task id")
			}
		}},
		{"completed change", func(t *testing.T) {
			r, err := db.Referral(ctx, sources[0], "new2")
			if err != nil {
				t.Fatal(err)
			}
			id, err := db.Enqueue(ctx, Change{SourceID: sources[0], TaskID: "new2", FromStatus: r.Status, ToStatus: "completed"})
			if err != nil {
				t.Fatal(err)
			}
			res, row := task("new2", "2", "2025-03-07T10:00:00Z")
			row.Status, row.Person = "completed", "Completed Person"
			if err := db.CompleteChange(ctx, id, res, row); err != nil {
				t.Fatal(err)
			}
			if rs, _ := db.Referrals(ctx, InboxFilter{Search: "completed person"}); len(rs) != 1 || rs[0].Status != "completed" {
				t.Errorf("search after CompleteChange = %+v", rs)
			}
		}},
		{"seen", func(t *testing.T) {
			if err := db.MarkSeen(ctx, sources[0], "new3", t0); err != nil {
				t.Fatal(err)
			}
		}},
		{"deleted source", func(t *testing.T) {
			if err := db.DeleteSource(ctx, sources[2]); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.CountReferrals(ctx, InboxFilter{SourceID: sources[2]}); n != 0 {
				t.Errorf("%d referrals of the deleted source", n)
			}
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			w.write(t)
			check(t)
		})
	}
}

// A write by another process (another DB on the same file: a CLI sync while
// the window is open) reaches this process's index.
func TestInboxIndexSeesAnotherProcessWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	other := openAt(t, path)
	src := addSource(t, db, "https://a.example/fhir")
	_, a := task("a", "1", "2025-03-01T10:00:00Z")
	savePage(t, db, src, nil, []Referral{a})
	loadIndex(t, db)
	loadIndex(t, other)

	_, b := task("b", "1", "2025-03-01T10:00:00Z")
	b.Person = "Quentin Other"
	savePage(t, other, src, nil, []Referral{b})
	if rs, err := db.Referrals(context.Background(), InboxFilter{Search: "quentin"}); err != nil || len(rs) != 1 {
		t.Fatalf("search after another process's write = %+v, %v; want b", rs, err)
	}
	// This process's own next write must not be applied onto the stale index as if current.
	_, c := task("c", "1", "2025-03-01T10:00:00Z")
	savePage(t, other, src, nil, []Referral{c})
	_, d := task("d", "1", "2025-03-01T10:00:00Z")
	savePage(t, db, src, nil, []Referral{d})
	checkInbox(t, db, InboxFilter{Search: "person"}, nil)
	checkInbox(t, db, InboxFilter{}, nil)
}

// Readers of the index run while pages are written, updated and a source
// deleted: none fails, and each sees whole pages only, in its ids and in the
// rows read for them (run with -race).
func TestInboxIndexConcurrentReadersWhileWriting(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	doomed := addSource(t, db, "https://b.example/fhir")
	const pages, perPage = 20, 10
	page := func(p int, version, status string) []Referral {
		var refs []Referral
		for i := range perPage {
			_, row := task(fmt.Sprintf("t%d-%d", p, i), version, "2025-03-0"+version+"T10:00:00Z")
			row.Status = status
			refs = append(refs, row)
		}
		return refs
	}
	savePage(t, db, doomed, nil, page(0, "1", "requested"))
	loadIndex(t, db)

	done := make(chan struct{})
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				n, err := db.CountReferrals(ctx, InboxFilter{Search: "person"})
				if err == nil && n%perPage != 0 {
					err = fmt.Errorf("count saw %d rows: part of a page", n)
				}
				var rs []Referral
				if err == nil {
					rs, err = db.Referrals(ctx, InboxFilter{Search: "PERSON", Statuses: []string{"requested"}, Order: ByStatusRank})
				}
				if err == nil && len(rs)%perPage != 0 {
					err = fmt.Errorf("referrals saw %d rows: part of a page", len(rs))
				}
				for _, r := range rs {
					if err == nil && r.Status != "requested" {
						err = fmt.Errorf("row %s has status %s, filter asked for requested", r.TaskID, r.Status)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for p := range pages {
		savePage(t, db, src, nil, page(p, "1", "requested"))
	}
	for p := range pages {
		savePage(t, db, src, nil, page(p, "2", "accepted"))
	}
	if err := db.DeleteSource(ctx, doomed); err != nil {
		t.Error(err)
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkInbox(t, db, InboxFilter{Search: "person", Statuses: []string{"accepted"}}, nil)
	if n, _ := db.CountReferrals(ctx, InboxFilter{Statuses: []string{"accepted"}}); n != pages*perPage {
		t.Fatalf("%d accepted, want %d", n, pages*perPage)
	}
}
