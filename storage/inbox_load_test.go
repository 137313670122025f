package storage

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// loadIndex loads db's inbox index, as the first search does.
func loadIndex(t testing.TB, db *DB) {
	t.Helper()
	if _, err := db.CountReferrals(context.Background(), InboxFilter{Search: "x"}); err != nil {
		t.Fatal(err)
	}
	if !db.inbox.ready.Load() {
		t.Fatal("a search did not load the inbox index")
	}
}

// A query whose context ends while the index loads fails with the context's
// error and leaves the index to load next time.
func TestInboxIndexLoadHonoursContext(t *testing.T) {
	db := openTest(t)
	src := addSource(t, db, "https://a.example/fhir")
	_, a := task("a", "1", "2025-03-01T10:00:00Z")
	savePage(t, db, src, nil, []Referral{a})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Referrals(ctx, InboxFilter{Search: "person"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Referrals with a cancelled context: %v", err)
	}
	checkInbox(t, db, InboxFilter{Search: "person"}, nil)
}

// A file written before the index (schema 1) keeps its referrals, loses the
// sealed search copy, and is searched from the referral rows.
func TestMigrationFromSchema1DropsSearchTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	orig := migrations
	t.Cleanup(func() { migrations = orig })
	migrations = orig[:1]
	v1 := openAt(t, path)
	src := addSource(t, v1, "https://a.example/fhir")
	if _, err := v1.sql.Exec(`INSERT INTO referrals (source_id, task_id, status, person, need, requester, received_at)
		VALUES (?, 'a', 'requested', CAST('Xiomara Vandersloot' AS BLOB), CAST('Rent' AS BLOB), 'Clinic', '2025-03-01T00:00:00Z');
		INSERT INTO referral_search (referral_id, text) SELECT id, CAST('xiomara vandersloot' || char(10) || 'rent' || char(10) || 'clinic' AS BLOB) FROM referrals`, src); err != nil {
		t.Fatal(err)
	}
	v1.Close()

	migrations = orig
	db := openAt(t, path, WithRanks(func(string, string) (int, int) { return 0, 0 }))
	if n := count(t, db, `SELECT count(*) FROM sqlite_schema WHERE name = 'referral_search'`); n != 0 {
		t.Error("referral_search survived the migration")
	}
	if rs, err := db.Referrals(context.Background(), InboxFilter{Search: "VANDER"}); err != nil || len(rs) != 1 || rs[0].Person != "Xiomara Vandersloot" {
		t.Fatalf("search after migration = %+v, %v", rs, err)
	}
}

// A file written before rows had ranks (schema 3) has its referrals ranked
// once, by what WithRanks says, and is not opened without it.
func TestMigrationFromSchema3RanksStoredReferrals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	orig := migrations
	t.Cleanup(func() { migrations = orig })
	migrations = orig[:3]
	v3 := openAt(t, path)
	src := addSource(t, v3, "https://a.example/fhir")
	for _, r := range []struct{ task, status, priority, authored string }{
		{"a", "one", "xx", "2025-03-01"}, {"b", "three", "x", "2025-03-02"}, {"c", "one", "x", "2025-03-03"},
		{"d", "three", "", "2025-03-04"},
	} {
		if _, err := v3.sql.Exec(`INSERT INTO referrals (source_id, task_id, status, priority, person, need,
			authored_key, received_at) VALUES (?, ?, ?, ?, x'', x'', ?, '2025-03-01T00:00:00Z')`,
			src, r.task, r.status, r.priority, r.authored); err != nil {
			t.Fatal(err)
		}
	}
	v3.Close()
	migrations = orig

	if db, err := Open(path); err == nil {
		db.Close()
		t.Fatal("Open ranked stored referrals without WithRanks")
	}
	asked := map[string]int{}
	db := openAt(t, path, WithRanks(func(status, priority string) (int, int) {
		asked[status+"/"+priority]++
		return len(status), len(priority)
	}))
	if len(asked) != 4 || asked["one/x"] != 1 {
		t.Errorf("ranks asked for %v, want each of the 4 pairs once", asked)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		f    InboxFilter
		want []string
	}{
		{InboxFilter{Order: ByStatusRank}, []string{"c", "a", "d", "b"}},
		{InboxFilter{Order: ByPriorityRank}, []string{"d", "c", "b", "a"}},
	} {
		rs, err := db.Referrals(ctx, tt.f)
		if ids := taskIDs(rs); err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("Referrals(%+v) = %v, %v; want %v", tt.f, ids, err, tt.want)
		}
		loadIndex(t, db)
		checkInbox(t, db, tt.f, nil)
	}
}

// A file written before rows kept phones (schema 9) keeps its referrals,
// searchable by name, and syncs every platform again from the start, which
// rewrites the rows with their phones.
func TestMigrationToPhonesSyncsAgainFromStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	orig := migrations
	t.Cleanup(func() { migrations = orig })
	migrations = orig[:9]
	v9 := openAt(t, path)
	ctx := context.Background()
	src := addSource(t, v9, "https://a.example/fhir")
	if _, err := v9.sql.Exec(`INSERT INTO referrals (source_id, task_id, status, person, need, received_at)
		VALUES (?, 'a', 'requested', CAST('Rosa López' AS BLOB), CAST('Rent' AS BLOB), '2025-03-01T00:00:00Z')`, src); err != nil {
		t.Fatal(err)
	}
	if err := v9.FinishSync(ctx, src, "2025-03-01T00:00:00Z", t0); err != nil {
		t.Fatal(err)
	}
	v9.Close()

	migrations = orig
	db := openAt(t, path)
	if s, err := db.Source(ctx, src); err != nil || s.Watermark != "" {
		t.Fatalf("watermark after the migration = %q, %v; want none, to sync from the start", s.Watermark, err)
	}
	if rs, err := db.Referrals(ctx, InboxFilter{Search: "lopez"}); err != nil || len(rs) != 1 {
		t.Fatalf("search by name after the migration found %d, %v; want 1", len(rs), err)
	}
	_, row := task("a", "2", "2025-03-02T00:00:00Z")
	row.Person, row.Phones = "Rosa López", []string{"(503) 555-0112"}
	savePage(t, db, src, nil, []Referral{row})
	if rs, err := db.Referrals(ctx, InboxFilter{Search: "555-0112"}); err != nil || len(rs) != 1 {
		t.Fatalf("search by phone after the sync found %d, %v; want 1", len(rs), err)
	}
}
