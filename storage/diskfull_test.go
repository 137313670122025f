package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fillWithReferrals stores n referrals of one source and returns the source.
func fillWithReferrals(t *testing.T, db *DB, n int) int64 {
	t.Helper()
	src := addSource(t, db, "https://a.example/fhir")
	var res []Resource
	var rows []Referral
	for i := range n {
		r, row := task(fmt.Sprintf("t%d", i), "1", "2025-03-01T10:00:00Z")
		res, rows = append(res, r), append(rows, row)
	}
	savePage(t, db, src, res, rows)
	return src
}

// fillTheDisk lets the file grow no more, as a full disk would: SQLite's
// max_page_count, on the connection every write goes through.
func fillTheDisk(t *testing.T, db *DB) {
	t.Helper()
	var pages int
	if err := db.writerConn.QueryRowContext(context.Background(), "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writerConn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
}

func TestAFullDiskRefusesWritesAndKeepsReads(t *testing.T) {
	db := openTest(t)
	src := fillWithReferrals(t, db, 20)
	fillTheDisk(t, db)
	ctx := context.Background()
	var res []Resource
	var rows []Referral
	for i := range 2000 {
		r, row := task(fmt.Sprintf("new%d", i), "1", "2025-03-02T10:00:00Z")
		res, rows = append(res, r), append(rows, row)
	}
	if _, err := db.SaveSyncPage(ctx, src, res, rows); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("storing a page on a full disk: %v, want ErrDiskFull", err)
	}
	got, err := db.Referrals(ctx, InboxFilter{})
	if err != nil || len(got) != 20 {
		t.Fatalf("reading on a full disk: %d referrals, %v; want the 20 stored", len(got), err)
	}
}

// diskFullAtOpen makes Open meet a disk too full to open the file for
// writing, as a real one does when the log's index file cannot be made.
func diskFullAtOpen(t *testing.T) {
	t.Helper()
	was := openWritable
	openWritable = func(string, ...Option) (*DB, error) {
		return nil, fmt.Errorf("%w: %w", ErrDiskFull, syscall.ENOSPC)
	}
	t.Cleanup(func() { openWritable = was })
}

func TestOpenOnAFullDiskReadsWhatIsStored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	fillWithReferrals(t, db, 20)
	db.Close()
	diskFullAtOpen(t)
	ro := openAt(t, path)
	ctx := context.Background()
	got, err := ro.Referrals(ctx, InboxFilter{})
	if err != nil || len(got) != 20 {
		t.Fatalf("reading a file opened on a full disk: %d referrals, %v; want the 20 stored", len(got), err)
	}
	if _, err := ro.AddSource(ctx, Source{Name: "b", FHIRBase: "https://b.example/fhir"}); !errors.Is(err, ErrDiskFull) {
		t.Errorf("a write to a file opened on a full disk: %v, want ErrDiskFull", err)
	}
}

// A log that holds changes cannot be read without its index: the file
// alone could show a checkpoint half done, so Open says the disk is full.
func TestOpenOnAFullDiskRefusesALogWithChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	fillWithReferrals(t, db, 5) // in the log until a checkpoint
	other, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`UPDATE sources SET name = 'changed'`); err != nil { // a change left in the log
		t.Fatal(err)
	}
	diskFullAtOpen(t)
	if ro, err := Open(path); !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "log holds changes") {
		if ro != nil {
			ro.Close()
		}
		t.Fatalf("Open on a full disk with changes in the log: %v, want ErrDiskFull", err)
	}
}
