package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

func TestOpenMigratesEmptyFile(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	v, err := userVersion(ctx, db.sql)
	if err != nil || v != len(migrations) {
		t.Fatalf("user_version = %d, %v; want %d", v, err, len(migrations))
	}
	for _, table := range []string{"sources", "tokens", "resources", "referrals", "outbox", "inbox_generation"} {
		if n := count(t, db, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table); n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	// Search moved to memory: no copy of person and need to keep sealed.
	if n := count(t, db, `SELECT count(*) FROM sqlite_schema WHERE name = 'referral_search'`); n != 0 {
		t.Error("table referral_search still exists")
	}
	pragmas := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000",
		"wal_autocheckpoint": "0", "journal_size_limit": "67108864", "temp_store": "2", "page_size": "16384"}
	for p, want := range pragmas {
		var got string
		if err := db.sql.QueryRow("PRAGMA " + p).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", p, got, err, want)
		}
	}
}

func TestReopenKeepsDataAndVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	id := addSource(t, db, "https://a.example/fhir")
	db.Close()

	db = openAt(t, path)
	s, err := db.Source(context.Background(), id)
	if err != nil || s.FHIRBase != "https://a.example/fhir" {
		t.Fatalf("after reopen Source = %+v, %v", s, err)
	}
	if v, _ := userVersion(context.Background(), db.sql); v != len(migrations) {
		t.Fatalf("user_version after reopen = %d, want %d", v, len(migrations))
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	openAt(t, path).Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open error = %v, want ErrSchemaTooNew", err)
	}
}

func TestFailedMigrationStepLeavesFileAtPreviousStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	openAt(t, path).Close()

	orig := migrations
	t.Cleanup(func() { migrations = orig })
	migrations = append(orig[:len(orig):len(orig)], migration{"broken", execSQL(
		`CREATE TABLE half_done (a); INSERT INTO no_such_table VALUES (1);`)})
	if db, err := Open(path); err == nil {
		db.Close()
		t.Fatal("Open with a failing migration succeeded")
	}

	migrations = orig
	db := openAt(t, path)
	if v, _ := userVersion(context.Background(), db.sql); v != len(orig) {
		t.Errorf("user_version = %d, want %d", v, len(orig))
	}
	if n := count(t, db, `SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'`); n != 0 {
		t.Error("the failed step's table survived")
	}
}

func TestFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	dir := filepath.Join(t.TempDir(), "referraldesk", "data")
	path := filepath.Join(dir, "desk.db")
	db := openAt(t, path)
	addSource(t, db, "https://a.example/fhir") // makes SQLite write the -wal and -shm files

	want := map[string]os.FileMode{dir: 0o700, filepath.Dir(dir): 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for p, mode := range want {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("stat %s: %v", p, err)
			continue
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s mode = %o, want %o", filepath.Base(p), got, mode)
		}
	}
}

func TestOpenTightensAWorldReadableFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	path := filepath.Join(t.TempDir(), "desk.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // past the umask
		t.Fatal(err)
	}
	openAt(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Fatalf("mode = %o, want 600", got)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a b?c#d%20", "desk.db")
	db := openAt(t, path)
	addSource(t, db, "https://a.example/fhir")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

// Readers run while a writer saves pages: no reader fails or waits out the
// busy timeout, and each sees whole pages only.
func TestConcurrentReadersWhileWriting(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	const pages, perPage = 20, 10

	done := make(chan struct{})
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				n, err := db.CountReferrals(ctx, InboxFilter{})
				if err != nil {
					errs <- err
					return
				}
				if n%perPage != 0 {
					errs <- fmt.Errorf("reader saw %d rows: part of a page", n)
					return
				}
				if _, err := db.Referrals(ctx, InboxFilter{Search: "person", Limit: 20}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for p := range pages {
		var res []Resource
		var refs []Referral
		for i := range perPage {
			r, row := task(fmt.Sprintf("t%d-%d", p, i), "1", "2025-03-01T10:00:00Z")
			res, refs = append(res, r), append(refs, row)
		}
		if _, err := db.SaveSyncPage(ctx, src, res, refs); err != nil {
			t.Errorf("page %d: %v", p, err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, _ := db.CountReferrals(ctx, InboxFilter{}); n != pages*perPage {
		t.Fatalf("stored %d referrals, want %d", n, pages*perPage)
	}
}

// A file created with another page size keeps it, and its log is measured
// in its own pages.
func TestOpenKeepsThePageSizeOfAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db := openAt(t, path)
	var got int
	if err := db.sql.QueryRow("PRAGMA page_size").Scan(&got); err != nil || got != 4096 || db.pageSize != 4096 {
		t.Fatalf("page size %d (%v), counted as %d; want the file's 4096", got, err, db.pageSize)
	}
}
