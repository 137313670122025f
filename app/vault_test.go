package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/apptest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

const passphrase = "four words make a passphrase"

// folderWithReferrals is a data folder as a release before encryption at
// rest left it: plaintext, with a referral for a person named by a marker.
func folderWithReferrals(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	a, err := app.Open(dir, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Close(time.Second)
	_, err = apptest.FillInbox(dir, app.Source{Name: "Demo", FHIRBase: "https://demo.example/fhir", Owner: "Organization/cbo"},
		[]app.Referral{{TaskID: "t1", Status: "requested", Priority: "routine", Person: "Quillon Marchetti",
			Need: "Food insecurity", AuthoredOn: "2026-11-02T10:00:00Z", VersionID: "1"}}, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func openFolder(t *testing.T, dir string, kr app.Keyring) *app.App {
	t.Helper()
	a, err := app.Open(dir, app.Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(time.Second) })
	return a
}

// A folder from before encryption at rest is protected in place: the
// referral is still there, no file holds the person's name, and the data
// opens with the passphrase or the recovery key, and with nothing else.
func TestSetUpProtectsAFolderInPlace(t *testing.T) {
	ctx := context.Background()
	dir := folderWithReferrals(t)
	a := openFolder(t, dir, nil)
	if p := a.Protection(ctx); p != app.Unprotected {
		t.Fatalf("a folder from before encryption: %v; want Unprotected", p)
	}
	if _, err := a.SetUp(ctx, "too short", false); app.KindOf(err) != app.KindInvalid || !strings.Contains(app.Explain(err), "12 characters") {
		t.Errorf("a short passphrase: %v (%q); want it refused with the rule", err, app.Explain(err))
	}
	recovery, err := a.SetUp(ctx, passphrase, false)
	if err != nil {
		t.Fatalf("SetUp: %v", err)
	}
	if p := a.Protection(ctx); p != app.Unlocked {
		t.Errorf("after SetUp: %v; want Unlocked", p)
	}
	if rs, err := a.Inbox(ctx, app.InboxFilter{}); err != nil || len(rs) != 1 || rs[0].Person != "Quillon Marchetti" {
		t.Fatalf("the inbox after SetUp: %+v, %v", rs, err)
	}
	a.Close(time.Second)
	for _, name := range []string{app.DatabaseName, app.DatabaseName + "-wal"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && bytes.Contains(b, []byte("Quillon")) {
			t.Errorf("%s holds the person's name after SetUp", name)
		}
	}

	for _, tt := range []struct {
		name, secret string
		opens        bool
	}{
		{"a wrong passphrase", "four words make a passphrasE", false},
		{"the passphrase", passphrase, true},
		{"the recovery key, as typed", strings.ToLower(strings.ReplaceAll(recovery, "-", " ")), true},
	} {
		a := openFolder(t, dir, nil)
		if p := a.Protection(ctx); p != app.Locked {
			t.Fatalf("%s: reopened %v; want Locked", tt.name, p)
		}
		err := a.Unlock(ctx, tt.secret, false)
		if tt.opens != (err == nil) {
			t.Errorf("%s: Unlock = %v", tt.name, err)
		}
		if !tt.opens && (app.KindOf(err) != app.KindLocked || !strings.Contains(app.Explain(err), "does not open")) {
			t.Errorf("%s: %v (%q); want a locked kind that says so", tt.name, err, app.Explain(err))
		}
		a.Close(time.Second)
	}
}

// The keyring remembers the key when asked, and only then.
func TestTheKeyringRemembersWhenAsked(t *testing.T) {
	ctx := context.Background()
	kr := &apptest.Keyring{}
	dir := folderWithReferrals(t)
	a := openFolder(t, dir, kr)
	if _, err := a.SetUp(ctx, passphrase, true); err != nil {
		t.Fatal(err)
	}
	a.Close(time.Second)
	a = openFolder(t, dir, kr)
	if ok, err := a.UnlockFromKeyring(ctx); !ok || err != nil {
		t.Fatalf("UnlockFromKeyring = %v, %v; want the remembered key to open it", ok, err)
	}
	a.Lock()
	if err := a.Unlock(ctx, passphrase, false); err != nil {
		t.Fatal(err)
	}
	a.Close(time.Second)
	a = openFolder(t, dir, kr)
	if ok, _ := a.UnlockFromKeyring(ctx); ok {
		t.Error("the keyring still opened the data after the case worker chose not to be remembered")
	}
}

// A new passphrase replaces the old one; the recovery key sets one for a
// forgotten passphrase, and a new recovery key replaces the old one.
func TestPassphraseAndRecoveryKeyChange(t *testing.T) {
	ctx := context.Background()
	dir := folderWithReferrals(t)
	a := openFolder(t, dir, nil)
	recovery, err := a.SetUp(ctx, passphrase, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ChangePassphrase(ctx, recovery, "a forgotten one is replaced"); err != nil {
		t.Fatalf("a new passphrase with the recovery key: %v", err)
	}
	newRecovery, err := a.NewRecoveryKey(ctx, "a forgotten one is replaced")
	if err != nil {
		t.Fatal(err)
	}
	a.Close(time.Second)
	a = openFolder(t, dir, nil)
	for secret, opens := range map[string]bool{passphrase: false, recovery: false, "a forgotten one is replaced": true, newRecovery: true} {
		if err := a.Unlock(ctx, secret, false); (err == nil) != opens {
			t.Errorf("Unlock(%q) = %v; want it to open: %v", secret, err, opens)
		}
		a.Lock()
	}
}

// A backup restores the data, locked as it was, and a wrong or damaged one
// is refused with a sentence that says so.
func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := folderWithReferrals(t)
	a := openFolder(t, dir, nil)
	if _, err := a.SetUp(ctx, passphrase, false); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "desk.backup")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Backup(ctx, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	a.Close(time.Second)

	elsewhere := t.TempDir()
	if err := app.Restore(ctx, elsewhere, file, "not the passphrase"); app.KindOf(err) != app.KindLocked {
		t.Errorf("restore with a wrong passphrase: %v; want KindLocked", err)
	}
	if err := app.Restore(ctx, elsewhere, filepath.Join(dir, app.DatabaseName), passphrase); !strings.Contains(app.Explain(err), "not a Referral Desk backup") {
		t.Errorf("restore of a database file: %q", app.Explain(err))
	}
	if err := app.Restore(ctx, elsewhere, file, passphrase); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	b := openFolder(t, elsewhere, nil)
	if err := b.Unlock(ctx, passphrase, false); err != nil {
		t.Fatal(err)
	}
	if rs, err := b.Inbox(ctx, app.InboxFilter{}); err != nil || len(rs) != 1 || rs[0].Person != "Quillon Marchetti" {
		t.Errorf("the restored inbox: %+v, %v", rs, err)
	}
}

// A referral whose saved name was altered on disk, or swapped with another
// referral's, is listed as damaged: never with another person's name, never
// failing the inbox, and its view says to sync again.
func TestATamperedReferralIsDamagedNotAnothers(t *testing.T) {
	ctx := context.Background()
	dir := folderWithReferrals(t)
	if _, err := apptest.FillInbox(dir, app.Source{Name: "Other", FHIRBase: "https://other.example/fhir", Owner: "Organization/cbo"},
		[]app.Referral{{TaskID: "t2", Status: "requested", Priority: "routine", Person: "Ottoline Brackenbury",
			Need: "Housing", AuthoredOn: "2026-11-02T11:00:00Z", VersionID: "1"}}, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	a := openFolder(t, dir, nil)
	if _, err := a.SetUp(ctx, passphrase, false); err != nil {
		t.Fatal(err)
	}
	a.Close(time.Second)
	db, err := sql.Open("sqlite", filepath.Join(dir, app.DatabaseName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE referrals SET person = (SELECT person FROM referrals WHERE task_id = 't1') WHERE task_id = 't2'`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	a = openFolder(t, dir, nil)
	if err := a.Unlock(ctx, passphrase, false); err != nil {
		t.Fatal(err)
	}
	rs, err := a.Inbox(ctx, app.InboxFilter{})
	if err != nil || len(rs) != 2 {
		t.Fatalf("the inbox with a damaged row: %d rows, %v; want both listed", len(rs), err)
	}
	for _, r := range rs {
		switch {
		case r.TaskID == "t2" && (!r.Damaged || r.Person != ""):
			t.Errorf("the swapped row: %q, damaged %v; want it damaged and nameless", r.Person, r.Damaged)
		case r.TaskID == "t1" && (r.Damaged || r.Person != "Quillon Marchetti"):
			t.Errorf("the sound row: %q, damaged %v", r.Person, r.Damaged)
		}
	}
	d, err := a.Referral(ctx, rs[0].SourceID, "t2")
	if rs[0].TaskID != "t2" {
		d, err = a.Referral(ctx, rs[1].SourceID, "t2")
	}
	if err != nil || !d.Damaged {
		t.Errorf("the damaged referral's view: %+v, %v; want it marked damaged", d, err)
	}
}

// A damaged referral seen in the inbox is written anew by the next sync,
// even though its Task did not change on the platform.
func TestTheNextSyncHealsADamagedReferral(t *testing.T) {
	w := newWorld(t, fhirtest.Options{})
	browser := w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	target := w.firstWithStatus("requested")
	w.encrypt(browser)
	db, err := sql.Open("sqlite", w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`UPDATE referrals SET person = X'01' WHERE task_id = ?`, target.TaskID)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	w.reopen(browser)
	if r := inboxRow(t, w, target.TaskID); !r.Damaged {
		t.Fatalf("the altered row reads %q, not damaged", r.Person)
	}
	w.sync(src.ID)
	if r := inboxRow(t, w, target.TaskID); r.Damaged || r.Person != target.Person {
		t.Errorf("after the next sync: %q, damaged %v; want %q back", r.Person, r.Damaged, target.Person)
	}
}

// inboxRow is the inbox's row of a Task.
func inboxRow(t *testing.T, w *world, taskID string) app.Referral {
	t.Helper()
	rs, err := w.app.Inbox(w.ctx, app.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.TaskID == taskID {
			return r
		}
	}
	t.Fatalf("no row for %s in the inbox", taskID)
	return app.Referral{}
}

// A new referral stays unread, also after a restart, until it is opened;
// marked unread, it is unread again.
func TestUnreadSurvivesARestart(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	browser := w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	if !app.Unread(r) {
		t.Fatalf("a new referral never opened: %+v; want it unread", r)
	}
	w.reopen(browser)
	if r := inboxRow(t, w, r.TaskID); !app.Unread(r) {
		t.Fatal("after a restart the new referral is no longer unread")
	}
	if err := w.app.MarkSeen(w.ctx, src.ID, r.TaskID); err != nil {
		t.Fatal(err)
	}
	if r := inboxRow(t, w, r.TaskID); app.Unread(r) {
		t.Fatal("an opened referral is still unread")
	}
	if err := w.app.MarkUnread(w.ctx, src.ID, r.TaskID); err != nil {
		t.Fatal(err)
	}
	w.reopen(browser)
	if r := inboxRow(t, w, r.TaskID); !app.Unread(r) {
		t.Error("marked unread, then restarted: it is not unread")
	}
}
