package storage

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestEnqueueRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	in := Change{SourceID: src, TaskID: "a", FromStatus: "requested", ToStatus: "rejected",
		Reason: "At capacity", BaseVersion: "7"}
	id, err := db.Enqueue(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Change(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID, want.State = id, ChangePending
	want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.CreatedAt
	if got.CreatedAt.IsZero() || !reflect.DeepEqual(got, want) {
		t.Fatalf("Change = %+v\nwant     %+v", got, want)
	}
	if _, err := db.Change(ctx, id+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Change of a missing id: %v, want ErrNotFound", err)
	}
	if _, err := db.Enqueue(ctx, Change{SourceID: 42, TaskID: "a", ToStatus: "accepted"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Enqueue for a missing source: %v, want ErrNotFound", err)
	}
}

func changeIDs(cs []Change) []int64 {
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestOutboxOrderAndStates(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	s1 := addSource(t, db, "https://a.example/fhir")
	s2 := addSource(t, db, "https://b.example/fhir")
	enqueue := func(src int64, taskID string, created time.Time) int64 {
		t.Helper()
		id, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: taskID, ToStatus: "accepted", CreatedAt: created})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Inserted out of time order: order is by CreatedAt, not by id.
	late := enqueue(s1, "a", t0.Add(3*time.Minute))
	early := enqueue(s2, "b", t0.Add(1*time.Minute))
	mid := enqueue(s1, "a", t0.Add(2*time.Minute))
	done := enqueue(s1, "c", t0)

	if err := db.MarkChange(ctx, done, ChangeSent, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkChange(ctx, mid, ChangeSending, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkChange(ctx, mid, ChangePending, "timeout"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkChange(ctx, mid, ChangeSending, ""); err != nil {
		t.Fatal(err)
	}

	all, err := db.PendingChanges(ctx, 0)
	if err != nil || !slices.Equal(changeIDs(all), []int64{early, mid, late}) {
		t.Fatalf("PendingChanges(all) = %v, %v; want %v", changeIDs(all), err, []int64{early, mid, late})
	}
	one, err := db.PendingChanges(ctx, s1)
	if err != nil || !slices.Equal(changeIDs(one), []int64{mid, late}) {
		t.Fatalf("PendingChanges(s1) = %v, %v; want %v", changeIDs(one), err, []int64{mid, late})
	}
	forTask, err := db.ChangesForTask(ctx, s1, "a")
	if err != nil || !slices.Equal(changeIDs(forTask), []int64{mid, late}) {
		t.Fatalf("ChangesForTask = %v, %v", changeIDs(forTask), err)
	}

	c, _ := db.Change(ctx, mid)
	if c.State != ChangeSending || c.Attempts != 2 || c.UpdatedAt.Equal(c.CreatedAt) {
		t.Errorf("after two sends: state %s, attempts %d, updated %v, created %v", c.State, c.Attempts, c.UpdatedAt, c.CreatedAt)
	}
	if err := db.MarkChange(ctx, mid, ChangeRefused, "not the owner"); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Change(ctx, mid); c.State != ChangeRefused || c.Detail != "not the owner" || c.Attempts != 2 {
		t.Errorf("after refusal: %+v", c)
	}
	if err := db.MarkChange(ctx, mid, "lost", ""); err == nil {
		t.Error("MarkChange accepted an unknown state")
	}
	if err := db.MarkChange(ctx, 999, ChangeSent, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkChange of a missing id: %v, want ErrNotFound", err)
	}
}

func TestCompleteChange(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	res, row := task("a", "1", "2025-03-01T10:00:00Z")
	savePage(t, db, src, []Resource{res}, []Referral{row})
	id, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: "a", FromStatus: "requested", ToStatus: "accepted", BaseVersion: "1"})
	if err != nil {
		t.Fatal(err)
	}

	res, row = task("a", "2", "2025-03-01T11:00:00Z")
	row.Status = "accepted"
	if err := db.CompleteChange(ctx, id, res, row); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Change(ctx, id); c.State != ChangeSent {
		t.Errorf("change state %s, want sent", c.State)
	}
	if r, _ := db.Resource(ctx, src, "Task", "a"); r.VersionID != "2" {
		t.Errorf("stored Task version %q, want 2", r.VersionID)
	}
	if r, _ := db.Referral(ctx, src, "a"); r.Status != "accepted" || r.Pending {
		t.Errorf("row status %q pending %v, want accepted, not pending", r.Status, r.Pending)
	}
	if err := db.CompleteChange(ctx, 999, res, row); !errors.Is(err, ErrNotFound) {
		t.Errorf("CompleteChange of a missing id: %v, want ErrNotFound", err)
	}
}

func TestCompleteChangeIsAllOrNothing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	id, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: "a", ToStatus: "accepted"})
	if err != nil {
		t.Fatal(err)
	}
	res, row := task("a", "2", "2025-03-01T11:00:00Z")
	row.TaskID = "" // invalid: fails after the change was marked and the Task stored
	if err := db.CompleteChange(ctx, id, res, row); err == nil {
		t.Fatal("CompleteChange accepted an invalid row")
	}
	if c, _ := db.Change(ctx, id); c.State != ChangePending {
		t.Errorf("change state %s, want still pending", c.State)
	}
	if _, err := db.Resource(ctx, src, "Task", "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the Task was stored: %v", err)
	}
}

// One process at a time holds a change; a claim left by a process that
// died is taken over once its lease runs out, and says it was attempted.
func TestClaimChangeIsHeldUntilItsLeaseEnds(t *testing.T) {
	db := openTest(t)
	clock := &stepClock{next: t0}
	db.now = clock.now
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	id, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: "t1", ToStatus: "accepted"})
	if err != nil {
		t.Fatal(err)
	}
	c, ok, err := db.ClaimChange(ctx, id, "window", time.Minute, nil)
	if err != nil || !ok || c.Attempts != 0 || c.State != ChangePending {
		t.Fatalf("the first claim: %+v, %v, %v", c, ok, err)
	}
	if _, ok, _ := db.ClaimChange(ctx, id, "cli", time.Minute, nil); ok {
		t.Fatal("a second process claimed a change the first holds")
	}
	clock.mu.Lock()
	clock.next = clock.next.Add(2 * time.Minute) // the window died while sending
	clock.mu.Unlock()
	c, ok, err = db.ClaimChange(ctx, id, "cli", time.Minute, nil)
	if err != nil || !ok || c.State != ChangeSending || c.Attempts != 1 {
		t.Fatalf("after the lease: %+v, %v, %v; want it taken over, as sending once before", c, ok, err)
	}
	if err := db.MarkChange(ctx, id, ChangeSent, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ClaimChange(ctx, id, "window", time.Minute, nil); ok {
		t.Error("a sent change was claimed again")
	}
}

// A claim whose process is known to be gone is taken over at once.
func TestClaimChangeTakesOverFromAProcessGone(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	id, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: "t1", ToStatus: "accepted"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ClaimChange(ctx, id, "dead", time.Hour, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	alive := func(string) bool { return false }
	gone := func(c string) bool { return c == "dead" }
	if _, ok, _ := db.ClaimChange(ctx, id, "cli", time.Hour, alive); ok {
		t.Error("a claim of a live process was taken over")
	}
	if c, ok, err := db.ClaimChange(ctx, id, "cli", time.Hour, gone); !ok || err != nil || c.State != ChangeSending {
		t.Errorf("a claim of a process gone: %v, %v, %v; want it taken over", c.State, ok, err)
	}
}

// Rebuilding the outbox to allow dismissed changes keeps every change as it
// was, its sealed reason included, and ids keep counting up.
func TestMigrationToDismissedChangesKeepsTheOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	orig := migrations
	t.Cleanup(func() { migrations = orig })
	migrations = orig[:8]
	v8 := openAt(t, path)
	db8src := addSource(t, v8, "https://a.example/fhir")
	id, err := v8.Enqueue(context.Background(), Change{SourceID: db8src, TaskID: "t1", ToStatus: "rejected", Reason: "moved away"})
	if err != nil {
		t.Fatal(err)
	}
	v8.Close()
	migrations = orig
	db := openAt(t, path)
	ctx := context.Background()
	c, err := db.Change(ctx, id)
	if err != nil || c.Reason != "moved away" || c.State != ChangePending {
		t.Fatalf("the change after the rebuild: %+v, %v", c, err)
	}
	if err := db.MarkChange(ctx, id, ChangeDismissed, "kept theirs"); err != nil {
		t.Errorf("dismissing: %v", err)
	}
	next, err := db.Enqueue(ctx, Change{SourceID: db8src, TaskID: "t2", ToStatus: "accepted"})
	if err != nil || next <= id {
		t.Errorf("the next id %d after %d, %v", next, id, err)
	}
}
