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

// fileBytes is what lies in the database file and its log now.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// storePeople stores, for each source, 60 referrals of people whose names
// start with its prefix, synced three times in turn, each copy shorter than
// the last: a sync replaces a row where it lay, and the tail of the longer
// copy before stays in the page's free space, beside the other source's
// rows. Then a token and a queued change each.
func storePeople(t *testing.T, db *DB, prefix map[int64]string) {
	t.Helper()
	ctx := context.Background()
	for v := 1; v <= 3; v++ {
		for source, who := range prefix {
			var res []Resource
			var rows []Referral
			for i := range 60 {
				name := fmt.Sprintf("%s %d", who, i)
				r, row := task(fmt.Sprintf("t-%d", i), fmt.Sprint(v), fmt.Sprintf("2025-03-0%dT10:00:00Z", v))
				r.JSON = fmt.Appendf(nil, `{"resourceType":"Task","id":"t-%d","note":[{"text":"%s, sync %d%s"}]}`,
					i, name, v, strings.Repeat("; also known as "+name, 4-v))
				row.Person = name + strings.Repeat(" aka "+name, 4-v)
				res, rows = append(res, r), append(rows, row)
			}
			savePage(t, db, source, res, rows)
		}
	}
	for source, who := range prefix {
		if err := db.SaveTokens(ctx, source, Tokens{AccessToken: who + "-access", RefreshToken: who + "-refresh"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Enqueue(ctx, Change{SourceID: source, TaskID: "t-1", ToStatus: "rejected", Reason: who + " moved away"}); err != nil {
			t.Fatal(err)
		}
	}
}

// Deleting a source leaves nothing of it in the file or its log: not the
// rows deleted now, nor the older copies earlier syncs left in free space
// (secure_delete alone left 205 of them). This file is plaintext, so the
// names would show if they were there.
func TestDeleteSourceLeavesNothingOfItInTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	gone := addSource(t, db, "https://gone.example/fhir")
	kept := addSource(t, db, "https://kept.example/fhir")
	storePeople(t, db, map[int64]string{gone: "Aurelia Quixote", kept: "Bartholomew Zed"})
	// As a sync's optimize does: sqlite_stat4 then holds sample keys of the indexes.
	if err := db.write(context.Background(), func(tx *txn) error { _, err := tx.Tx.Exec("ANALYZE"); return err }); err != nil {
		t.Fatal(err)
	}
	goneMarks := []string{"Aurelia Quixote", "gone.example", "Aurelia Quixote-refresh", "Aurelia Quixote moved away"}
	before := fileBytes(t, path)
	for _, m := range append(goneMarks, "Bartholomew Zed") {
		if !bytes.Contains(before, []byte(m)) {
			t.Fatalf("before the delete the file does not hold %q: this test could not see it linger", m)
		}
	}

	if err := db.DeleteSource(context.Background(), gone); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	after := fileBytes(t, path)
	for _, m := range goneMarks {
		if n := bytes.Count(after, []byte(m)); n > 0 {
			t.Errorf("after the delete the file and its log still hold %q %d times", m, n)
		}
	}
	if !bytes.Contains(after, []byte("Bartholomew Zed")) {
		t.Error("the other source's referral is gone from the file")
	}
	if n := count(t, db, `SELECT count(*) FROM referrals WHERE source_id = ?`, kept); n != 60 {
		t.Errorf("the other source has %d referrals after the delete, want its 60", n)
	}
}

// ForgetClient forgets the client id and its tokens, and asks for a sign-in.
func TestForgetClient(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	id := addSource(t, db, "https://a.example/fhir")
	if err := db.SaveTokens(ctx, id, Tokens{AccessToken: "a", RefreshToken: "r"}); err != nil {
		t.Fatal(err)
	}
	if err := db.ForgetClient(ctx, id, "forgotten"); err != nil {
		t.Fatal(err)
	}
	s, err := db.Source(ctx, id)
	if err != nil || s.ClientID != "" || s.State != StateNeedsSignIn || s.StateDetail != "forgotten" {
		t.Errorf("after ForgetClient the source is %+v (%v); want no client id, needs sign-in, why", s, err)
	}
	if _, err := db.Tokens(ctx, id); err == nil {
		t.Error("the tokens issued to the forgotten client are still stored")
	}
	if err := db.ForgetClient(ctx, 999, ""); err == nil {
		t.Error("ForgetClient of no source succeeded")
	}
}
