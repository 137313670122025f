package storage

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// stepClock returns t0, t0+1s, t0+2s, ... so that stored times are distinct and predictable.
type stepClock struct {
	mu   sync.Mutex
	next time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.next
	c.next = c.next.Add(time.Second)
	return t
}

func openTest(t testing.TB) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "desk.db"))
}

func openAt(t testing.TB, path string, opts ...Option) *DB {
	t.Helper()
	db, err := Open(path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	db.now = (&stepClock{next: t0}).now
	t.Cleanup(func() { db.Close() })
	return db
}

func addSource(t testing.TB, db *DB, base string) int64 {
	t.Helper()
	id, err := db.AddSource(context.Background(), Source{Name: base, FHIRBase: base, Owner: "Organization/cbo"})
	if err != nil {
		t.Fatalf("AddSource(%s): %v", base, err)
	}
	return id
}

// task returns a referral Task resource and its inbox row.
func task(id, version, lastUpdated string) (Resource, Referral) {
	res := Resource{Type: "Task", ID: id, VersionID: version, LastUpdated: lastUpdated,
		JSON: fmt.Appendf(nil, `{"resourceType":"Task","id":%q,"meta":{"versionId":%q}}`, id, version)}
	row := Referral{TaskID: id, Status: "requested", Priority: "routine", Person: "Person " + id,
		Need: "Food insecurity", Category: "food-insecurity", Requester: "Eastside Clinic",
		AuthoredOn: "2025-03-01T10:00:00Z", LastUpdated: lastUpdated, VersionID: version,
		Consent: "active", FocusRef: "ServiceRequest/sr-" + id, PatientRef: "Patient/p-" + id}
	return res, row
}

func savePage(t testing.TB, db *DB, sourceID int64, res []Resource, refs []Referral) SaveCounts {
	t.Helper()
	c, err := db.SaveSyncPage(context.Background(), sourceID, res, refs)
	if err != nil {
		t.Fatalf("SaveSyncPage: %v", err)
	}
	return c
}

func count(t testing.TB, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tagSealer marks each stored value with where it belongs and refuses to open
// a value stored for another table, column or row.
type tagSealer struct{}

func sealTag(table, column, rowKey string) []byte {
	return []byte("sealed:" + table + "." + column + "[" + rowKey + "]:")
}

func (tagSealer) seal(table, column, rowKey string, plain []byte) ([]byte, error) {
	return append(sealTag(table, column, rowKey), plain...), nil
}

func (tagSealer) open(table, column, rowKey string, stored []byte) ([]byte, error) {
	tag := sealTag(table, column, rowKey)
	if !bytes.HasPrefix(stored, tag) {
		return nil, fmt.Errorf("value not sealed for %s", tag)
	}
	return stored[len(tag):], nil
}
