package app_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/storage"
)

// offline makes the platform's FHIR API answer 503 until back is called.
func offline(w *world) (back func()) {
	w.server.SetFault(func(rw http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/fhir/") {
			http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	return func() { w.server.SetFault(nil) }
}

// A requester's edit of something a receiver never writes (a note) between
// Referral Desk's read and its update is no conflict: the change is applied
// on top of it, and the note stays.
func TestAnUnrelatedEditIsRebasedNotAConflict(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPut {
			w.server.UpdateAsRequester("Task", r.TaskID, func(m map[string]any) {
				m["note"] = []any{map[string]any{"text": "Bring ID to the first visit"}}
			})
			w.server.SetFault(nil)
		}
		return false
	})
	out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	if err != nil || !out.Sent {
		t.Fatalf("accept after an unrelated edit: %q (%s), %v; want it sent", out.Change.State, out.Message(), err)
	}
	m := w.platformTask(r.TaskID)
	if m["status"] != "accepted" || !strings.Contains(fmtJSON(m["note"]), "Bring ID") {
		t.Errorf("the platform's copy: status %v, note %v; want accepted with the requester's note kept", m["status"], m["note"])
	}
}

// Offline, a case worker accepts, starts and completes a referral; the
// inbox shows where it will stand, the platform how many changes wait, and
// one sync sends all three, in order.
func TestAnOfflineSequenceIsSentInOrder(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	back := offline(w)
	for _, to := range []string{"accepted", "in-progress", "completed"} {
		out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, to, "")
		if err != nil || out.Sent {
			t.Fatalf("%s offline: %+v, %v; want it queued", to, out, err)
		}
	}
	if _, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", ""); app.KindOf(err) != app.KindInvalid {
		t.Errorf("accepting what will be completed: %v; want it refused", err)
	}
	row := inboxRow(t, w, r.TaskID)
	if row.Status != "requested" || row.Projected != "completed" || !row.Pending {
		t.Errorf("the inbox row: status %q, projected %q, pending %v", row.Status, row.Projected, row.Pending)
	}
	if srcs, err := w.app.Sources(w.ctx); err != nil || srcs[0].Waiting != 3 {
		t.Errorf("the platform's waiting changes: %+v, %v; want 3", srcs, err)
	}
	back()
	rep := w.sync(src.ID)
	if rep.Sent != 3 || rep.Conflicts+rep.Refused != 0 {
		t.Fatalf("the sync sent %d, conflicts %d, refused %d; want the three sent", rep.Sent, rep.Conflicts, rep.Refused)
	}
	if m := w.platformTask(r.TaskID); m["status"] != "completed" {
		t.Errorf("the platform's Task is %v; want completed", m["status"])
	}
	changes, err := w.store.ChangesForTask(w.ctx, src.ID, r.TaskID)
	if err != nil || len(changes) != 3 {
		t.Fatalf("changes: %v, %v", changes, err)
	}
	for i, c := range changes {
		if c.State != storage.ChangeSent || (i > 0 && c.BaseVersion == changes[i-1].BaseVersion) {
			t.Errorf("change %d (%s): %s on version %q", i, c.ToStatus, c.State, c.BaseVersion)
		}
	}
}

// A change the platform refuses settles those queued after it on the same
// referral: they were made on top of it.
func TestARefusedChangeSettlesTheOnesAfterIt(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	back := offline(w)
	w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	w.app.SetStatus(w.ctx, src.ID, r.TaskID, "in-progress", "")
	back()
	w.server.UpdateAsRequester("Task", r.TaskID, func(m map[string]any) { m["status"] = "cancelled" })
	rep, _ := w.app.Sync(w.ctx, src.ID)
	changes, _ := w.store.ChangesForTask(w.ctx, src.ID, r.TaskID)
	if rep.Sent != 0 || len(changes) != 2 || changes[0].State != storage.ChangeConflict || changes[1].State != storage.ChangeConflict {
		t.Fatalf("after the requester cancelled: sent %d, changes %+v; want both in conflict", rep.Sent, changes)
	}
	if !strings.Contains(changes[1].Detail, "change before it") {
		t.Errorf("the second change says %q; want it to say the one before was not sent", changes[1].Detail)
	}
}

// Two processes (the window and a command line) syncing the same folder at
// once send each queued change once, and neither takes the other's
// success for a conflict.
func TestTwoSendersNeverSendAChangeTwice(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 40})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	refs, err := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: []string{"requested"}})
	if err != nil || len(refs) < 5 {
		t.Fatalf("requested referrals: %d, %v", len(refs), err)
	}
	refs = refs[:5]
	back := offline(w)
	for _, r := range refs {
		w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	}
	back()
	other, err := storage.Open(w.dbPath, storage.WithClock(w.clock.Now)) // one clock, as two processes share the system's
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second := app.New(app.Options{Store: other, Now: w.clock.Now})
	w.server.ResetRequests()
	var wg sync.WaitGroup
	for _, a := range []*app.App{w.app, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.SyncAll(w.ctx)
		}()
	}
	wg.Wait()
	puts := map[string]int{}
	for _, req := range w.server.Requests() {
		if req.Method == http.MethodPut {
			puts[req.Path]++
		}
	}
	for _, r := range refs {
		if n := puts["/fhir/Task/"+r.TaskID]; n != 1 {
			t.Errorf("Task/%s was updated %d times; want once", r.TaskID, n)
		}
		changes, _ := w.store.ChangesForTask(w.ctx, src.ID, r.TaskID)
		if len(changes) != 1 || changes[0].State != storage.ChangeSent {
			t.Errorf("Task/%s: %+v; want its change sent", r.TaskID, changes)
		}
	}
}

// After a real conflict the case worker decides: keep the platform's
// version, or apply theirs on top where the IG allows the move.
func TestAConflictIsSettledByTheCaseWorker(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	refs, _ := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: []string{"requested"}})
	keep, apply := refs[0], refs[1]
	for _, r := range []app.Referral{keep, apply} {
		if out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", ""); err != nil || !out.Sent {
			t.Fatal(out, err)
		}
	}
	back := offline(w)
	k, _ := w.app.SetStatus(w.ctx, src.ID, keep.TaskID, "in-progress", "")
	ap, _ := w.app.SetStatus(w.ctx, src.ID, apply.TaskID, "in-progress", "")
	back()
	// A colleague puts both on hold on the platform meanwhile.
	for _, r := range []app.Referral{keep, apply} {
		if err := w.server.SetStatusAsRequester(r.TaskID, "on-hold", "Waiting for documents"); err != nil {
			t.Fatal(err)
		}
	}
	if rep := w.sync(src.ID); rep.Conflicts != 2 {
		t.Fatalf("%d conflicts; want both changes in conflict", rep.Conflicts)
	}
	if err := w.app.KeepTheirs(w.ctx, k.Change.ID); err != nil {
		t.Fatal(err)
	}
	out, err := w.app.ApplyMine(w.ctx, ap.Change.ID)
	if err != nil || !out.Sent {
		t.Fatalf("ApplyMine: %+v, %v", out, err)
	}
	if m := w.platformTask(keep.TaskID); m["status"] != "on-hold" {
		t.Errorf("kept theirs, yet the platform has %v", m["status"])
	}
	if m := w.platformTask(apply.TaskID); m["status"] != "in-progress" {
		t.Errorf("applied mine, yet the platform has %v", m["status"])
	}
	if err := w.app.KeepTheirs(w.ctx, k.Change.ID); app.KindOf(err) != app.KindInvalid {
		t.Errorf("settling a settled change: %v", err)
	}
}

// dropAnswers loses the answer to every PUT after the platform applied it.
type dropAnswers struct {
	next http.RoundTripper
	on   bool
}

func (d *dropAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && d.on && r.Method == http.MethodPut {
		resp.Body.Close()
		return nil, errors.New("connection reset after the request was sent")
	}
	return resp, err
}

// A change applied by the platform whose answer was lost, and whose Task
// the requester then changed, is recognised as sent from the Task's
// history, not taken for a conflict.
func TestAChangeWhoseAnswerWasLostIsFoundInTheHistory(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	drop := &dropAnswers{next: app.NewTransport()}
	w.http = &http.Client{Transport: drop}
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	drop.on = true
	out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	drop.on = false
	if err != nil || out.Sent {
		t.Fatalf("the lost answer: %+v, %v; want the change queued", out, err)
	}
	if m := w.platformTask(r.TaskID); m["status"] != "accepted" {
		t.Fatalf("the platform did not apply the change: %v", m["status"])
	}
	if err := w.server.SetStatusAsRequester(r.TaskID, "cancelled", "Person moved away"); err != nil {
		t.Fatal(err)
	}
	rep := w.sync(src.ID)
	changes, _ := w.store.ChangesForTask(w.ctx, src.ID, r.TaskID)
	if rep.Sent != 1 || changes[0].State != storage.ChangeSent {
		t.Errorf("after the requester cancelled: sent %d, change %s (%s); want it recognised as sent", rep.Sent, changes[0].State, changes[0].Detail)
	}
}

// A change to a referral whose stored copy is still the platform's latest
// is one round trip: the update, with If-Match on that version.
func TestAChangeIsOneRoundTrip(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	w.server.ResetRequests()
	if out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", ""); err != nil || !out.Sent {
		t.Fatalf("accept: %+v, %v", out, err)
	}
	var seen []string
	for _, req := range w.server.Requests() {
		if strings.HasPrefix(req.Path, "/fhir/") {
			seen = append(seen, req.Method+" "+req.Path)
		}
	}
	if len(seen) != 1 || seen[0] != "PUT /fhir/Task/"+r.TaskID {
		t.Errorf("an accept took %v; want the one update", seen)
	}
}
