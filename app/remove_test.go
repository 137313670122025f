package app_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/storage"
)

// fileBytes is what lies in the database file and its log now.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// people are the names of a platform's people in the inbox.
func people(w *world, source int64) []string {
	w.t.Helper()
	refs, err := w.app.Inbox(w.ctx, app.InboxFilter{SourceID: source})
	if err != nil || len(refs) == 0 {
		w.t.Fatalf("no referral of platform %d in the inbox (%v)", source, err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Person)
	}
	return names
}

// Removing a platform revokes its tokens on the platform, deletes every
// referral of it, and leaves no name of its people in the file (plaintext
// here, as a folder from before encryption at rest, so that a name left
// behind would show). The other platform stays as it was.
func TestRemoveAPlatform(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 8})
	other := fhirtest.New(t, fhirtest.Options{Referrals: 8, Seed: 99, Now: w.clock.Now})
	mine, theirs := w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword), other.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)
	w.reopen(func(u string) error {
		if strings.HasPrefix(u, other.URL()+"/") {
			return theirs(u)
		}
		return mine(u)
	})
	gone := w.connect(app.ConnectOptions{})
	kept := w.connect(app.ConnectOptions{Link: other.FHIRBase(), Name: "Westside"})
	w.sync(gone.ID)
	w.sync(kept.ID)
	goneNames, keptNames := people(w, gone.ID), people(w, kept.ID)
	goneNames = slices.DeleteFunc(goneNames, func(n string) bool { return slices.Contains(keptNames, n) })
	if len(goneNames) == 0 {
		t.Fatal("the two platforms' people share every name: the file could not tell them apart")
	}
	unsentAccept(w, gone)
	tok, err := w.store.Tokens(w.ctx, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	src, err := w.app.Source(w.ctx, gone.ID)
	if err != nil || src.Waiting != 1 {
		t.Fatalf("before the removal %d changes wait (%v), want the unsent one", src.Waiting, err)
	}
	if say := app.RemovalWarning(src.Name, 8, src.Waiting); !strings.Contains(say, "1 change you made has not been sent to it yet and will be lost.") {
		t.Errorf("the warning before removal does not name the unsent change: %q", say)
	}
	before := fileBytes(t, w.dbPath)
	if !bytes.Contains(before, []byte(goneNames[0])) {
		t.Fatalf("before the removal the file does not hold %q: this test could not see a name left behind", goneNames[0])
	}

	rm, err := w.app.RemoveSource(w.ctx, gone.ID)
	if err != nil {
		t.Fatalf("RemoveSource: %v (%s)", err, app.Explain(err))
	}
	if rm.SignInLeft || rm.Source.Waiting != 1 {
		t.Errorf("Removal = %+v; want the sign-in ended and the one lost change counted", rm)
	}
	want := []fhirtest.Revocation{{ClientID: gone.ClientID, Token: "refresh_token"}, {ClientID: gone.ClientID, Token: "access_token"}}
	if got := w.server.Revocations(); !slices.Equal(got, want) {
		t.Errorf("the platform revoked %+v, want %+v", got, want)
	}
	if got := readTasks(t, w.server, tok.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("the removed platform's access token still reads there: %d, want 401", got)
	}
	if n, err := w.app.CountInbox(w.ctx, app.InboxFilter{SourceID: gone.ID}); err != nil || n != 0 {
		t.Errorf("%d referrals of the removed platform are left (%v)", n, err)
	}
	if srcs, err := w.app.Sources(w.ctx); err != nil || len(srcs) != 1 || srcs[0].ID != kept.ID {
		t.Errorf("platforms after the removal: %+v, %v; want only the other one", srcs, err)
	}
	after := fileBytes(t, w.dbPath)
	for _, n := range append(goneNames, w.server.FHIRBase()) {
		if bytes.Contains(after, []byte(n)) {
			i := bytes.Index(after, []byte(n))
			t.Errorf("the file still holds %q of the removed platform: %q", n, after[max(0, i-300):min(len(after), i+100)])
		}
	}
	if !bytes.Contains(after, []byte(keptNames[0])) || people(w, kept.ID)[0] == "" {
		t.Error("the other platform's referrals are gone from the file")
	}
}

// unsentAccept accepts a new referral while the platform is down for
// updates: the change waits to be sent.
func unsentAccept(w *world, src app.Source) {
	w.t.Helper()
	w.server.SetFault(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPut {
			return false
		}
		rw.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	defer w.server.SetFault(nil)
	refs, err := w.app.Inbox(w.ctx, app.InboxFilter{SourceID: src.ID, Statuses: []string{"requested"}})
	if err != nil || len(refs) == 0 {
		w.t.Fatalf("no new referral to accept (%v)", err)
	}
	if o, err := w.app.SetStatus(w.ctx, src.ID, refs[0].TaskID, "accepted", ""); err != nil || o.Sent {
		w.t.Fatalf("accepting while the platform is down: %+v, %v; want it queued", o.Change, err)
	}
}

func readTasks(t *testing.T, s *fhirtest.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.FHIRBase()+"/Task?_count=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A platform that cannot be reached is removed all the same: the sign-in it
// could not be told to end is reported, and the log says why without a token.
func TestRemoveAPlatformOffline(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 3})
	var log bytes.Buffer
	w.log = slog.New(slog.NewTextHandler(&log, nil))
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	tok, err := w.store.Tokens(w.ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.server.Close()

	rm, err := w.app.RemoveSource(w.ctx, src.ID)
	if err != nil {
		t.Fatalf("removing a platform that cannot be reached: %v (%s)", err, app.Explain(err))
	}
	if !rm.SignInLeft {
		t.Error("the removal does not say the platform could not be told to end the sign-in")
	}
	if _, err := w.app.Source(w.ctx, src.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the platform is still here after its removal: %v", err)
	}
	if !strings.Contains(log.String(), "was not told to end the sign-in") {
		t.Errorf("the log does not say why the sign-in was left:\n%s", log.String())
	}
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
		if strings.Contains(log.String(), secret) {
			t.Fatal("the log holds a token of the removed platform")
		}
	}
}
