package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A sync's pages stay in the log until the sync's end (a write that is not a
// sync page), and are then copied into the file by the checkpointer.
func TestSyncPagesAreCheckpointedAfterTheSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	db.WaitCheckpoint()
	before := fileSize(t, path)

	// 3 000 resources of 4 KB: about 12 MB of log, past the 4 MB a write
	// that is not a sync page tolerates.
	padding := bytes.Repeat([]byte("x"), 4000)
	for p := range 30 {
		var res []Resource
		for i := range 100 {
			id := fmt.Sprintf("c-%d-%d", p, i)
			res = append(res, Resource{Type: "Condition", ID: id,
				JSON: fmt.Appendf(nil, `{"resourceType":"Condition","id":%q,"note":%q}`, id, padding)})
		}
		savePage(t, db, src, res, nil)
	}
	db.WaitCheckpoint()
	if got := fileSize(t, path); got != before {
		t.Fatalf("the file grew from %d to %d bytes during the sync: a sync page was checkpointed", before, got)
	}

	if err := db.FinishSync(ctx, src, "2025-03-01T10:00:00Z", t0); err != nil {
		t.Fatal(err)
	}
	db.WaitCheckpoint()
	if got := fileSize(t, path); got < before+12<<20 {
		t.Fatalf("the file has %d bytes after the sync (%d before): its pages were not checkpointed", got, before)
	}
	if got, err := db.Resource(ctx, src, "Condition", "c-29-99"); err != nil || !bytes.Contains(got.JSON, padding) {
		t.Fatalf("the last resource after the checkpoint: %v", err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// The statistics a first sync needs are refreshed after it, in the background.
func TestStatisticsRefreshedAfterTheSync(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	res, refs := benchPage(0, 50)
	savePage(t, db, src, res, refs)
	if err := db.FinishSync(ctx, src, "2025-03-01T10:00:00Z", t0); err != nil {
		t.Fatal(err)
	}
	db.WaitCheckpoint()
	var stat string
	if err := db.sql.QueryRow(`SELECT stat FROM sqlite_stat1 WHERE idx = 'referrals_status'`).Scan(&stat); err != nil {
		t.Fatalf("no statistics of the status index after the sync: %v", err)
	}
	if !strings.HasPrefix(stat, "50 ") {
		t.Fatalf("statistics of the status index %q, want them over the 50 referrals", stat)
	}
}
