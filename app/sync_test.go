package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
	"github.com/referraldesk/referraldesk/storage"
)

func TestConnectFindsOwnerFromSignIn(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 5})
	src := w.connect(app.ConnectOptions{})
	if src.Owner != referralgen.OwnerOrganization {
		t.Errorf("owner = %q; want the case worker's organization %q (from fhirUser's PractitionerRole)", src.Owner, referralgen.OwnerOrganization)
	}
	if src.ClientID == "" || src.RedirectPort == 0 {
		t.Errorf("client id %q, port %d: a dynamically registered client must keep its exact redirect port", src.ClientID, src.RedirectPort)
	}
	if src.State != app.SourceOK {
		t.Errorf("state = %q; want ok", src.State)
	}
	if src.Name != fhirtest.PlatformName {
		t.Errorf("name = %q; want the platform's own name %q from its CapabilityStatement", src.Name, fhirtest.PlatformName)
	}
}

func TestSyncThenNoChangeSyncMakesOneRequest(t *testing.T) {
	const n = 60
	w := newWorldPaged(t, fhirtest.Options{Referrals: n}, 25)
	src := w.connect(app.ConnectOptions{})
	first := w.sync(src.ID)
	want := ownedCount(w, n)
	if first.New != want || first.Updated != 0 {
		t.Fatalf("first sync: %d new, %d updated; want %d new (the Tasks the organization owns)", first.New, first.Updated, want)
	}
	refs, _ := w.app.Inbox(w.ctx, app.InboxFilter{})
	if len(refs) != want {
		t.Fatalf("inbox has %d referrals; want %d", len(refs), want)
	}
	for _, r := range refs {
		if r.Person == "" || r.Need == "" || r.Requester == "" {
			t.Fatalf("referral %s lacks what the inbox shows: %+v", r.TaskID, r)
		}
	}
	w.server.ResetRequests()
	second := w.sync(src.ID)
	if got := len(w.server.Requests()); got != 1 || second.Requests != 1 {
		t.Errorf("a sync with nothing new made %d requests (client counted %d); want exactly 1", got, second.Requests)
	}
	if second.New+second.Updated != 0 {
		t.Errorf("second sync: %d new, %d updated; want none", second.New, second.Updated)
	}
	// A referral that arrives is picked up by the next sync, and only it.
	id := w.server.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization, Status: "requested"})
	third := w.sync(src.ID)
	if third.New != 1 {
		t.Errorf("after one new referral the sync found %d new; want 1", third.New)
	}
	if _, err := w.app.Referral(w.ctx, src.ID, id); err != nil {
		t.Errorf("the new referral %s is not readable: %v", id, err)
	}
}

func TestAcceptAndDeclineChangeOnlyStatusOnThePlatform(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 30})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	refs, _ := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: []string{"requested"}})
	if len(refs) < 2 {
		t.Fatalf("need two new referrals, have %d", len(refs))
	}
	acceptID, declineID := refs[0].TaskID, refs[1].TaskID
	beforeAccept, beforeDecline := w.platformTask(acceptID), w.platformTask(declineID)

	out, err := w.app.SetStatus(w.ctx, src.ID, acceptID, "accepted", "")
	if err != nil || !out.Sent {
		t.Fatalf("accept: sent=%v err=%v (%s)", out.Sent, err, out.Message())
	}
	out, err = w.app.SetStatus(w.ctx, src.ID, declineID, "rejected", "We serve only residents of Multnomah County")
	if err != nil || !out.Sent {
		t.Fatalf("decline: sent=%v err=%v (%s)", out.Sent, err, out.Message())
	}
	assertOnlyStatusChanged(t, beforeAccept, w.platformTask(acceptID), "accepted", "")
	assertOnlyStatusChanged(t, beforeDecline, w.platformTask(declineID), "rejected", "We serve only residents of Multnomah County")

	row, _ := w.app.FindReferral(w.ctx, acceptID)
	if row.Status != "accepted" || row.Pending {
		t.Errorf("the inbox shows %q (pending %v) after the platform confirmed; want accepted", row.Status, row.Pending)
	}
}

// assertOnlyStatusChanged checks the platform's copy: the new status and
// reason, a bumped version, and every other element as it was.
func assertOnlyStatusChanged(t *testing.T, before, after map[string]any, status, reason string) {
	t.Helper()
	if after["status"] != status {
		t.Errorf("platform status = %v; want %s", after["status"], status)
	}
	gotReason := ""
	if sr, ok := after["statusReason"].(map[string]any); ok {
		gotReason, _ = sr["text"].(string)
	}
	if gotReason != reason {
		t.Errorf("platform statusReason = %q; want %q", gotReason, reason)
	}
	if before["meta"].(map[string]any)["versionId"] == after["meta"].(map[string]any)["versionId"] {
		t.Errorf("version not bumped")
	}
	changed, err := fhirtest.ChangedElements([]byte(fmtJSON(before)), []byte(fmtJSON(after)), "status", "statusReason", "meta")
	if err != nil || len(changed) > 0 {
		t.Errorf("other elements changed on the platform: %v (err %v)", changed, err)
	}
}

func TestTransitionsAndReasonsAreChecked(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	if _, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "completed", ""); err == nil {
		t.Error("requested → completed was allowed; the IG does not allow it")
	}
	if _, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "rejected", "  "); err == nil || !strings.Contains(app.Explain(err), "why") {
		t.Errorf("a decline without a reason was not refused with a request for one: %v", err)
	}
	changes, _ := w.store.ChangesForTask(w.ctx, src.ID, r.TaskID)
	if len(changes) != 0 {
		t.Errorf("refused changes were queued: %+v", changes)
	}
}

func TestRefreshOnExpiryPersistsRotatedToken(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 10, AccessTokenLifetime: 10 * time.Minute})
	src := w.connect(app.ConnectOptions{})
	before, _ := w.store.Tokens(w.ctx, src.ID)
	w.clock.Add(15 * time.Minute)
	w.server.ResetRequests()
	rep := w.sync(src.ID)
	if rep.New == 0 {
		t.Fatal("sync after expiry fetched nothing")
	}
	after, _ := w.store.Tokens(w.ctx, src.ID)
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken || after.RefreshToken == "" {
		t.Error("the refreshed (rotated) tokens were not saved")
	}
	// The token is refreshed before the search, not after a 401 from it.
	if reqs := w.server.Requests(); len(reqs) < 2 || reqs[0].Path != "/auth/token" || reqs[1].Path != "/fhir/Task" {
		t.Errorf("requests %v; want the refresh first, then the search", reqs)
	}
	// A new Referral Desk process uses the saved rotated token: the old one was revoked by rotation.
	w.reopen(nil)
	w.sync(src.ID)
}

func TestRefreshOn401ThenRetry(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 10})
	src := w.connect(app.ConnectOptions{})
	before, _ := w.store.Tokens(w.ctx, src.ID)
	w.server.ExpireAccessTokens()
	w.server.ResetRequests()
	w.sync(src.ID)
	var statuses []string
	for _, r := range w.server.Requests() {
		statuses = append(statuses, r.Method+" "+r.Path)
	}
	if len(statuses) < 3 || statuses[0] != "GET /fhir/Task" || statuses[1] != "POST /auth/token" || statuses[2] != "GET /fhir/Task" {
		t.Errorf("requests %v; want the search, a refresh, and the search again", statuses)
	}
	after, _ := w.store.Tokens(w.ctx, src.ID)
	if after.RefreshToken == before.RefreshToken {
		t.Error("rotated refresh token not persisted after the 401 refresh")
	}
}

func TestInvalidGrantNeedsSignInAndKeepsData(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	before, _ := w.app.Inbox(w.ctx, app.InboxFilter{})
	w.server.RevokeGrants()
	w.server.ExpireAccessTokens()
	r := w.firstWithStatus("requested")
	out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	if app.KindOf(err) != app.KindSignInNeeded || out.Sent {
		t.Fatalf("SetStatus after the grant was revoked: sent=%v err=%v; want KindSignInNeeded", out.Sent, err)
	}
	_, err = w.app.Sync(w.ctx, src.ID)
	if app.KindOf(err) != app.KindSignInNeeded {
		t.Fatalf("sync err = %v; want KindSignInNeeded", err)
	}
	got, _ := w.store.Source(w.ctx, src.ID)
	if got.State != storage.StateNeedsSignIn {
		t.Errorf("source state = %q; want needs-sign-in", got.State)
	}
	after, _ := w.app.Inbox(w.ctx, app.InboxFilter{})
	if len(after) != len(before) {
		t.Errorf("inbox went from %d to %d referrals; nothing cached may be deleted", len(before), len(after))
	}
	pending, _ := w.store.PendingChanges(w.ctx, src.ID)
	if len(pending) != 1 {
		t.Fatalf("%d queued changes; the accept must stay queued", len(pending))
	}
	// Signing in again sends the queued change with the next sync.
	w.connect(app.ConnectOptions{})
	rep := w.sync(src.ID)
	if rep.Sent != 1 || w.platformTask(r.TaskID)["status"] != "accepted" {
		t.Errorf("after signing in again: %d sent, platform status %v; want the queued accept sent", rep.Sent, w.platformTask(r.TaskID)["status"])
	}
}

func TestStaleVersionIsAConflictAndOverwritesNothing(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	// The requester cancels the Task between Referral Desk's read and its
	// PUT: the PUT carries a stale If-Match, and the status moved.
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPut {
			w.server.UpdateAsRequester("Task", r.TaskID, func(m map[string]any) {
				m["status"] = "cancelled"
				m["note"] = []any{map[string]any{"text": "Person moved; new address on file"}}
			})
			w.server.SetFault(nil)
		}
		return false
	})
	out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Sent || out.Change.State != app.ChangeConflict {
		t.Fatalf("change state %q sent=%v; want a conflict", out.Change.State, out.Sent)
	}
	if !strings.Contains(out.Message(), "changed this referral") {
		t.Errorf("conflict message %q does not say what happened", out.Message())
	}
	m := w.platformTask(r.TaskID)
	if m["status"] != "cancelled" || !strings.Contains(fmtJSON(m["note"]), "Person moved") {
		t.Errorf("the platform copy was overwritten: status %v, note %v", m["status"], m["note"])
	}
	row, _ := w.app.FindReferral(w.ctx, r.TaskID)
	if row.VersionID != m["meta"].(map[string]any)["versionId"] {
		t.Errorf("Referral Desk kept version %s; want the platform's newer copy stored", row.VersionID)
	}
}

func TestHTTPDiscoveryOffLoopbackIsRefused(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: -1})
	for _, link := range []string{"http://referrals.example.org/fhir", "javascript:alert(1)", "https://user@referrals.example.org/fhir"} {
		_, err := w.app.Connect(w.ctx, app.ConnectOptions{Link: link})
		if err == nil {
			t.Errorf("connect %q succeeded; want it refused", link)
			continue
		}
		if msg := app.Explain(err); strings.HasPrefix(msg, "Something went wrong") {
			t.Errorf("connect %q: message %q is not in the case worker's words", link, msg)
		}
	}
	if srcs, _ := w.app.Sources(w.ctx); len(srcs) != 0 {
		t.Errorf("%d sources stored after refused links", len(srcs))
	}
}

func TestOffOriginNextLinkIsRefusedAndWatermarkStays(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 10})
	src := w.connect(app.ConnectOptions{})
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path != "/fhir/Task" {
			return false
		}
		rw.Header().Set("Content-Type", "application/fhir+json")
		rw.Write([]byte(`{"resourceType":"Bundle","type":"searchset","meta":{"lastUpdated":"2030-01-01T00:00:00Z"},
			"link":[{"relation":"next","url":"https://collector.example.net/fhir/Task?page=2"}]}`))
		return true
	})
	_, err := w.app.Sync(w.ctx, src.ID)
	if fhir.KindOf(err) != fhir.KindRefused {
		t.Fatalf("sync err = %v; want the off-origin next link refused", err)
	}
	got, _ := w.store.Source(w.ctx, src.ID)
	if got.Watermark != "" {
		t.Errorf("watermark advanced to %q after a refused sync", got.Watermark)
	}
}

func TestFailureOnPageThreeKeepsWatermark(t *testing.T) {
	w := newWorldPaged(t, fhirtest.Options{Referrals: 40}, 5)
	src := w.connect(app.ConnectOptions{})
	pages := 0
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path != "/fhir/Task" {
			return false
		}
		pages++
		if pages == 3 {
			rw.WriteHeader(http.StatusInternalServerError)
			return true
		}
		return false
	})
	_, err := w.app.Sync(w.ctx, src.ID)
	if fhir.KindOf(err) != fhir.KindServer {
		t.Fatalf("sync err = %v; want the 500 on page 3", err)
	}
	got, _ := w.store.Source(w.ctx, src.ID)
	if got.Watermark != "" {
		t.Errorf("watermark advanced to %q though page 3 failed", got.Watermark)
	}
	stored, _ := w.app.CountInbox(w.ctx, app.InboxFilter{})
	if stored == 0 {
		t.Error("pages 1 and 2 were not kept (each page is committed on its own)")
	}
	w.server.SetFault(nil)
	rep := w.sync(src.ID)
	total, _ := w.app.CountInbox(w.ctx, app.InboxFilter{})
	if total != ownedCount(w, 40) || rep.New != total-stored {
		t.Errorf("after recovery: %d referrals, %d new; want all %d with the rest new", total, rep.New, ownedCount(w, 40))
	}
}

func TestLostAnswerIsNotMistakenForAConflict(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	r := w.firstWithStatus("requested")
	// The platform applies the PUT, but the answer never reaches Referral Desk.
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.Method != http.MethodPut {
			return false
		}
		w.server.SetFault(nil)
		w.server.UpdateAsRequester("Task", r.TaskID, func(m map[string]any) { m["status"] = "accepted" })
		conn, _, err := rw.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	})
	out, err := w.app.SetStatus(w.ctx, src.ID, r.TaskID, "accepted", "")
	if err != nil || out.Sent || out.Change.State != app.ChangePending {
		t.Fatalf("after a lost answer: state %q sent=%v err=%v; want the change still queued", out.Change.State, out.Sent, err)
	}
	rep := w.sync(src.ID)
	changes, _ := w.store.ChangesForTask(w.ctx, src.ID, r.TaskID)
	if rep.Sent != 1 || rep.Conflicts != 0 || len(changes) != 1 || changes[0].State != storage.ChangeSent {
		t.Errorf("next sync: %d sent, %d conflicts, changes %+v; want the applied change recorded as sent, not as a conflict", rep.Sent, rep.Conflicts, changes)
	}
}

func TestSyncAllLeavesPlatformsWaitingForSignInAlone(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 5})
	src := w.connect(app.ConnectOptions{})
	w.server.RevokeGrants()
	w.server.ExpireAccessTokens()
	if _, err := w.app.Sync(w.ctx, src.ID); app.KindOf(err) != app.KindSignInNeeded {
		t.Fatalf("sync err = %v; want KindSignInNeeded", err)
	}
	w.server.ResetRequests()
	reps, err := w.app.SyncAll(w.ctx)
	if err != nil || len(reps) != 1 || app.KindOf(reps[0].Err) != app.KindSignInNeeded {
		t.Fatalf("SyncAll: %+v, %v; want one report saying sign-in is needed", reps, err)
	}
	if n := len(w.server.Requests()); n != 0 {
		t.Errorf("SyncAll made %d requests for a platform that needs a new sign-in; want none", n)
	}
}

func TestReconnectingForAnotherOwnerStartsFromTheBeginning(t *testing.T) {
	w := newWorld(t, fhirtest.Options{Referrals: 20})
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	again := w.connect(app.ConnectOptions{Owner: referralgen.OtherOrganization})
	if again.ID != src.ID || again.Watermark != "" {
		t.Fatalf("reconnect for another owner: id %d watermark %q; want the same source with no watermark", again.ID, again.Watermark)
	}
	if rep := w.sync(src.ID); rep.New == 0 {
		t.Error("the other owner's referrals were not fetched")
	}
}

// A sync's concurrent requests keep their connections to the platform
// instead of closing them after each request and dialling again: with Go's
// default of 2 idle connections per host, 10 000 referrals took 137
// connections for 302 requests. That needs two things, tested one each:
// a sync never has more than app.RequestsInFlight requests open at once,
// and NewTransport keeps that many connections idle. (Counting connections
// closed during a real sync is not deterministic: the transport may dial for
// a request that a connection freed meanwhile then serves, and the spare
// connection is closed when the pool is full.) This is the first.
func TestSyncHasAtMostRequestsInFlightOpen(t *testing.T) {
	open := &openRequests{next: app.NewTransport()}
	w := newWorld(t, fhirtest.Options{Referrals: 1000})
	w.http = &http.Client{Transport: open}
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	src := w.connect(app.ConnectOptions{})
	open.most.Store(0)
	rep, err := w.app.Sync(w.ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if most := open.most.Load(); most > app.RequestsInFlight {
		t.Errorf("the sync had %d requests open at once (of %d); app.RequestsInFlight, which the transport keeps idle connections for, says %d",
			most, rep.Requests, app.RequestsInFlight)
	}
}

// The second: the server answers none of a round's requests before all of
// them have arrived, so each round has app.RequestsInFlight connections busy
// at once; a body read to its end has returned its connection to the idle
// pool (or had it refused), so the second round finds what the first left.
func TestTransportKeepsAnIdleConnectionForEachRequestASyncHasOpen(t *testing.T) {
	const n = app.RequestsInFlight
	var (
		mu      sync.Mutex
		arrived int
		all     = make(chan struct{}) // closed when a round's n requests have arrived
	)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		round := all
		if arrived++; arrived == n {
			close(all)
			arrived, all = 0, make(chan struct{})
		}
		mu.Unlock()
		select {
		case <-round:
			io.WriteString(rw, "ok")
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)

	tr := app.NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	var dials atomic.Int64
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	// A transport that cannot have n connections open at once would leave
	// a round waiting for its last request: give up then, rather than hang.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	round := func() error {
		errs := make(chan error, n)
		for range n {
			go func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				resp, err := tr.RoundTrip(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body) // to EOF: the connection goes back to the pool
					resp.Body.Close()
				}
				errs <- err
			}()
		}
		var first error
		for range n {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	if err := round(); err != nil {
		t.Fatalf("%d requests at once: %v", n, err)
	}
	dials.Store(0)
	if err := round(); err != nil {
		t.Fatalf("%d requests at once, again: %v", n, err)
	}
	if d := dials.Load(); d != 0 {
		t.Errorf("%d requests at once, after %d that had finished, dialled %d new connections; want none (MaxIdleConnsPerHost = %d, 0 meaning Go's default %d)",
			n, n, d, tr.MaxIdleConnsPerHost, http.DefaultMaxIdleConnsPerHost)
	}
}

// openRequests counts the requests open (until their answer is closed) and
// the most open at once.
type openRequests struct {
	next       http.RoundTripper
	open, most atomic.Int64
}

func (o *openRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	n := o.open.Add(1)
	for m := o.most.Load(); n > m && !o.most.CompareAndSwap(m, n); m = o.most.Load() {
	}
	resp, err := o.next.RoundTrip(req)
	if err != nil {
		o.open.Add(-1)
		return nil, err
	}
	resp.Body = &closeCounted{ReadCloser: resp.Body, open: &o.open}
	return resp, nil
}

type closeCounted struct {
	io.ReadCloser
	open *atomic.Int64
	once sync.Once
}

func (c *closeCounted) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.ReadCloser.Close()
}
