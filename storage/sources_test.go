package storage

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestSourceRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	in := Source{Name: "Eastside HIE", FHIRBase: "https://hie.example/fhir", ClientID: "cid", RedirectPort: 53682,
		Owner: "Organization/cbo-eastside", Scopes: "user/Task.rw offline_access",
		AuthConfig: []byte(`{"authorization_endpoint":"https://hie.example/auth"}`)}
	id, err := db.AddSource(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Source(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID, want.State, want.CreatedAt = id, StateNeedsSignIn, t0
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Source = %+v\nwant     %+v", got, want)
	}
	byBase, err := db.SourceByBase(ctx, in.FHIRBase)
	if err != nil || !reflect.DeepEqual(byBase, want) {
		t.Fatalf("SourceByBase = %+v, %v", byBase, err)
	}

	upd := got
	upd.Name, upd.FHIRBase, upd.Scopes, upd.Watermark = "Renamed", "https://hie.example/fhir/r4", "x", "2025-03-01T00:00:00Z"
	upd.State, upd.StateDetail, upd.LastSyncAt = StateError, "boom", t0.Add(time.Hour)
	upd.CreatedAt = t0.Add(99 * time.Hour) // ignored
	if err := db.UpdateSource(ctx, upd); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Source(ctx, id)
	upd.CreatedAt = t0
	if !reflect.DeepEqual(got, upd) {
		t.Fatalf("after UpdateSource = %+v\nwant                %+v", got, upd)
	}
}

func TestSourcesListedByID(t *testing.T) {
	db := openTest(t)
	a := addSource(t, db, "https://b.example/fhir")
	b := addSource(t, db, "https://a.example/fhir")
	list, err := db.Sources(context.Background())
	if err != nil || len(list) != 2 || list[0].ID != a || list[1].ID != b {
		t.Fatalf("Sources = %+v, %v; want ids %d, %d", list, err, a, b)
	}
}

func TestSourceUniqueBase(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	addSource(t, db, "https://a.example/fhir")
	b := addSource(t, db, "https://b.example/fhir")
	if _, err := db.AddSource(ctx, Source{FHIRBase: "https://a.example/fhir"}); !errors.Is(err, ErrExists) {
		t.Errorf("AddSource of an existing base: %v, want ErrExists", err)
	}
	s, _ := db.Source(ctx, b)
	s.FHIRBase = "https://a.example/fhir"
	if err := db.UpdateSource(ctx, s); !errors.Is(err, ErrExists) {
		t.Errorf("UpdateSource to an existing base: %v, want ErrExists", err)
	}
}

func TestSourceNotFound(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	checks := map[string]error{
		"Source":         func() error { _, err := db.Source(ctx, 42); return err }(),
		"SourceByBase":   func() error { _, err := db.SourceByBase(ctx, "https://x.example"); return err }(),
		"UpdateSource":   db.UpdateSource(ctx, Source{ID: 42, FHIRBase: "https://x.example", State: StateOK}),
		"SetSourceState": db.SetSourceState(ctx, 42, StateOK, ""),
		"FinishSync":     db.FinishSync(ctx, 42, "2025-01-01T00:00:00Z", t0),
		"DeleteSource":   db.DeleteSource(ctx, 42),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a missing source: %v, want ErrNotFound", name, err)
		}
	}
}

func TestSourceStateAndFinishSync(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	id := addSource(t, db, "https://a.example/fhir")
	if err := db.SetSourceState(ctx, id, StateError, "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Source(ctx, id); s.State != StateError || s.StateDetail != "HTTP 503" {
		t.Fatalf("after SetSourceState: %q %q", s.State, s.StateDetail)
	}
	if err := db.SetSourceState(ctx, id, "bogus", ""); err == nil {
		t.Error("SetSourceState accepted an unknown state")
	}
	at := time.Date(2025, 3, 5, 8, 30, 0, 123456789, time.FixedZone("EST", -5*3600))
	if err := db.FinishSync(ctx, id, "2025-03-05T13:29:59.5Z", at); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Source(ctx, id)
	if s.State != StateOK || s.StateDetail != "" || s.Watermark != "2025-03-05T13:29:59.5Z" || !s.LastSyncAt.Equal(at) {
		t.Fatalf("after FinishSync: %+v", s)
	}
}

func TestDeleteSourceRemovesEverythingOfIt(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	gone := addSource(t, db, "https://a.example/fhir")
	kept := addSource(t, db, "https://b.example/fhir")
	for _, src := range []int64{gone, kept} {
		res, row := task("t1", "1", "2025-03-01T10:00:00Z")
		savePage(t, db, src, []Resource{res}, []Referral{row})
		if err := db.SaveTokens(ctx, src, Tokens{AccessToken: "a"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: "t1", ToStatus: "accepted"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteSource(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"sources", "tokens", "resources", "referrals", "outbox"} {
		col := "source_id"
		if table == "sources" {
			col = "id"
		}
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE `+col+` = ?`, gone); n != 0 {
			t.Errorf("%s: %d rows of the deleted source remain", table, n)
		}
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE `+col+` = ?`, kept); n != 1 {
			t.Errorf("%s: %d rows of the other source, want 1", table, n)
		}
	}
	if rs, err := db.Referrals(ctx, InboxFilter{Search: "person"}); err != nil || len(rs) != 1 || rs[0].SourceID != kept {
		t.Errorf("search after the delete = %+v, %v; want the other source's 1", rs, err)
	}
}
