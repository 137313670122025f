package storage

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestSaveSyncPageCounts(t *testing.T) {
	db := openTest(t)
	src := addSource(t, db, "https://a.example/fhir")
	r1, a := task("a", "1", "2025-03-01T10:00:00Z")
	r2, b := task("b", "1", "2025-03-01T10:00:00Z")
	if c := savePage(t, db, src, []Resource{r1, r2}, []Referral{a, b}); c != (SaveCounts{New: 2}) {
		t.Fatalf("first page counts = %+v, want 2 new", c)
	}

	r1, a = task("a", "2", "2025-03-02T10:00:00Z") // new version
	r3, c := task("c", "1", "2025-03-01T10:00:00Z")
	got := savePage(t, db, src, []Resource{r1, r2, r3}, []Referral{a, b, c})
	if got != (SaveCounts{New: 1, Updated: 1, Unchanged: 1}) {
		t.Fatalf("second page counts = %+v, want 1 new, 1 updated, 1 unchanged", got)
	}
	row, _ := db.Referral(context.Background(), src, "a")
	if row.VersionID != "2" {
		t.Fatalf("updated row has version %q", row.VersionID)
	}
}

// A Task twice in one page (a server's paging that shifted) is stored once,
// as storing the rows one after the other would leave it, and counted once.
func TestSaveSyncPageWithATaskTwice(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	_, v1 := task("a", "1", "2025-03-01T10:00:00Z")
	_, v2 := task("a", "2", "2025-03-02T10:00:00Z")
	v2.Status = "accepted"
	_, b := task("b", "1", "2025-03-01T10:00:00Z")
	if c := savePage(t, db, src, nil, []Referral{v2, b, v1}); c != (SaveCounts{New: 2}) {
		t.Fatalf("counts = %+v, want 2 new", c)
	}
	if got, _ := db.Referral(ctx, src, "a"); got.VersionID != "2" || got.Status != "accepted" {
		t.Errorf("row of a: version %q status %q, want the newer 2 accepted", got.VersionID, got.Status)
	}
	_, v3 := task("a", "3", "2025-03-03T10:00:00Z")
	if c := savePage(t, db, src, nil, []Referral{v2, v3}); c != (SaveCounts{Updated: 1}) {
		t.Fatalf("counts = %+v, want 1 updated", c)
	}
	if got, _ := db.Referral(ctx, src, "a"); got.VersionID != "3" {
		t.Errorf("row of a: version %q, want 3", got.VersionID)
	}
}

func TestSaveSyncPageKeepsReceivedAndSeen(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	_, row := task("a", "1", "2025-03-01T10:00:00Z")
	savePage(t, db, src, nil, []Referral{row})
	first, _ := db.Referral(ctx, src, "a")
	if first.ReceivedAt.IsZero() || !first.SeenAt.IsZero() {
		t.Fatalf("new row: ReceivedAt %v, SeenAt %v", first.ReceivedAt, first.SeenAt)
	}
	seen := t0.Add(time.Hour)
	if err := db.MarkSeen(ctx, src, "a", seen); err != nil {
		t.Fatal(err)
	}

	_, row = task("a", "2", "2025-03-02T10:00:00Z")
	row.Status, row.Person = "accepted", "Renamed"
	row.ReceivedAt, row.SeenAt = t0.Add(50*time.Hour), time.Time{} // ignored for a stored row
	savePage(t, db, src, nil, []Referral{row})
	got, _ := db.Referral(ctx, src, "a")
	if !got.ReceivedAt.Equal(first.ReceivedAt) || !got.SeenAt.Equal(seen) {
		t.Errorf("ReceivedAt %v (want %v), SeenAt %v (want %v)", got.ReceivedAt, first.ReceivedAt, got.SeenAt, seen)
	}
	if got.Status != "accepted" || got.Person != "Renamed" {
		t.Errorf("row not updated: %+v", got)
	}
}

func TestSaveSyncPageIsAllOrNothing(t *testing.T) {
	bad := map[string]func(res []Resource, refs []Referral) ([]Resource, []Referral){
		"referral without task id": func(res []Resource, refs []Referral) ([]Resource, []Referral) {
			return res, append(refs, Referral{Status: "requested"})
		},
		"resource without id": func(res []Resource, refs []Referral) ([]Resource, []Referral) {
			return append(res, Resource{Type: "Patient", JSON: []byte(`{}`)}), refs
		},
		"resource of another source": func(res []Resource, refs []Referral) ([]Resource, []Referral) {
			r, _ := task("x", "1", "")
			r.SourceID = 999
			return append(res, r), refs
		},
		"referral of another source": func(res []Resource, refs []Referral) ([]Resource, []Referral) {
			_, r := task("x", "1", "")
			r.SourceID = 999
			return res, append(refs, r)
		},
	}
	for name, spoil := range bad {
		t.Run(name, func(t *testing.T) {
			db := openTest(t)
			src := addSource(t, db, "https://a.example/fhir")
			var res []Resource
			var refs []Referral
			for _, id := range []string{"a", "b", "c"} {
				r, row := task(id, "1", "2025-03-01T10:00:00Z")
				res, refs = append(res, r), append(refs, row)
			}
			res, refs = spoil(res, refs)
			if _, err := db.SaveSyncPage(context.Background(), src, res, refs); err == nil {
				t.Fatal("SaveSyncPage accepted a bad row")
			}
			if n := count(t, db, `SELECT count(*) FROM resources`) + count(t, db, `SELECT count(*) FROM referrals`); n != 0 {
				t.Fatalf("%d rows of the failed page were stored", n)
			}
		})
	}
}

func TestSaveSyncPageOfMissingSource(t *testing.T) {
	db := openTest(t)
	res, row := task("a", "1", "")
	if _, err := db.SaveSyncPage(context.Background(), 42, []Resource{res}, []Referral{row}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SaveSyncPage of a missing source: %v, want ErrNotFound", err)
	}
}

// A page fetched before the app's own update must not roll the Task back.
func TestSaveSyncPageKeepsTheNewerCopy(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	newRes, newRow := task("a", "3", "2025-03-02T12:00:00+02:00") // 10:00Z
	newRow.Status = "accepted"
	savePage(t, db, src, []Resource{newRes}, []Referral{newRow})

	oldRes, oldRow := task("a", "2", "2025-03-02T09:59:59.9Z")
	c := savePage(t, db, src, []Resource{oldRes}, []Referral{oldRow})
	if c != (SaveCounts{Unchanged: 1}) {
		t.Errorf("counts = %+v, want 1 unchanged", c)
	}
	if got, _ := db.Resource(ctx, src, "Task", "a"); got.VersionID != "3" {
		t.Errorf("stored Task version %q, want 3", got.VersionID)
	}
	if got, _ := db.Referral(ctx, src, "a"); got.VersionID != "3" || got.Status != "accepted" {
		t.Errorf("stored row version %q status %q, want 3 accepted", got.VersionID, got.Status)
	}

	// Without lastUpdated on either side the page wins.
	plain := Resource{Type: "Patient", ID: "p", JSON: []byte(`{"v":1}`)}
	savePage(t, db, src, []Resource{plain}, nil)
	plain.JSON = []byte(`{"v":2}`)
	savePage(t, db, src, []Resource{plain}, nil)
	if got, _ := db.Resource(ctx, src, "Patient", "p"); string(got.JSON) != `{"v":2}` {
		t.Errorf("Patient JSON = %s, want the later page's", got.JSON)
	}
}

func TestResourceLookups(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	other := addSource(t, db, "https://b.example/fhir")
	pats := []Resource{
		{Type: "Patient", ID: "p1", VersionID: "1", LastUpdated: "2025-01-01T00:00:00Z", JSON: []byte(`{"id":"p1"}`)},
		{Type: "Patient", ID: "p2", JSON: []byte(`{"id":"p2"}`)},
		{Type: "Consent", ID: "p1", JSON: []byte(`{"id":"c"}`)},
	}
	savePage(t, db, src, pats, nil)
	savePage(t, db, other, []Resource{{Type: "Patient", ID: "p3", JSON: []byte(`{}`)}}, nil)

	got, err := db.Resource(ctx, src, "Patient", "p1")
	want := pats[0]
	want.SourceID = src
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Resource = %+v, %v; want %+v", got, err, want)
	}
	if _, err := db.Resource(ctx, src, "Patient", "p3"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resource of another source: %v, want ErrNotFound", err)
	}
	m, err := db.Resources(ctx, src, "Patient", []string{"p1", "p2", "p3", "nope"})
	if err != nil || len(m) != 2 || string(m["p2"].JSON) != `{"id":"p2"}` || m["p1"].Type != "Patient" {
		t.Fatalf("Resources = %+v, %v; want p1 and p2", m, err)
	}
	if m, err := db.Resources(ctx, src, "Patient", nil); err != nil || len(m) != 0 {
		t.Fatalf("Resources of no ids = %v, %v", m, err)
	}
}
