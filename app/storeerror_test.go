package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// A row computed while the store cannot be read would be saved with a blank
// person and need: the page must fail instead, so the sync tries again.
func TestAStoreErrorIsNotTakenAsAbsent(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), "referraldesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	task, err := fhir.ParseResource([]byte(`{"resourceType":"Task","id":"t1","meta":{"versionId":"1"},
		"status":"requested","intent":"order","for":{"reference":"Patient/p1"},"focus":{"reference":"ServiceRequest/sr1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	st.Close() // every read now fails, as on a damaged or vanished file
	page := newResources(context.Background(), st, 1)
	page.bring(task)
	rows, _, err := rowsOf(1, []fhir.Resource{task}, page)
	if err == nil || !strings.Contains(err.Error(), "Patient/p1") {
		t.Fatalf("rowsOf with an unreadable store gave %d rows and error %v; want no rows and the read that failed", len(rows), err)
	}
	if len(rows) != 0 {
		t.Errorf("rowsOf kept %d rows computed without what they reference", len(rows))
	}
}
