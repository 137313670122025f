package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
	"github.com/referraldesk/referraldesk/storage"
)

// rewriting is a transport that lets a test damage the platform's answers
// on their way to Referral Desk, as a faulty platform would send them.
type rewriting struct {
	next    http.RoundTripper
	rewrite func(req *http.Request, body []byte) []byte
}

func (rw *rewriting) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rw.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = rw.rewrite(req, body)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// newDamagingWorld is a world whose platform answers pass through rewrite.
func newDamagingWorld(t *testing.T, opts fhirtest.Options, rewrite func(req *http.Request, body []byte) []byte) *world {
	t.Helper()
	w := newWorld(t, opts)
	w.http = &http.Client{Transport: &rewriting{next: app.NewTransport(), rewrite: rewrite}}
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	return w
}

// editTask applies edit to Task/id wherever it is in a FHIR answer: the
// answer itself (a read) or a resource of a Bundle's entries (a search
// page). edit returns the Task's new bytes. It reports whether it found it.
func editTask(t *testing.T, body []byte, id string, edit func(members map[string]json.RawMessage) []byte) ([]byte, bool) {
	t.Helper()
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return body, false
	}
	if isTask(doc, id) {
		return edit(doc), true
	}
	if string(doc["resourceType"]) != `"Bundle"` || doc["entry"] == nil {
		return body, false
	}
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(doc["entry"], &entries); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		var res map[string]json.RawMessage
		if json.Unmarshal(e["resource"], &res) == nil && isTask(res, id) {
			e["resource"], found = edit(res), true
		}
	}
	if !found {
		return body, false
	}
	// json.Marshal keeps a RawMessage's member names as they are, twice included.
	doc["entry"] = mustMarshal(t, entries)
	return mustMarshal(t, doc), true
}

func isTask(members map[string]json.RawMessage, id string) bool {
	return string(members["resourceType"]) == `"Task"` && string(members["id"]) == strconv.Quote(id)
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objectWith writes a JSON object: first the given members in order (a
// name may come twice), then the rest of members, sorted.
func objectWith(members map[string]json.RawMessage, first ...[2]string) []byte {
	var parts []string
	for _, m := range first {
		parts = append(parts, strconv.Quote(m[0])+":"+m[1])
	}
	var rest []string
	for name := range members {
		if !slices.ContainsFunc(first, func(m [2]string) bool { return m[0] == name }) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		parts = append(parts, strconv.Quote(name)+":"+string(members[name]))
	}
	return []byte("{" + strings.Join(parts, ",") + "}")
}

// firstOwned is the id of the first generated Task the demo organization owns.
func firstOwned(t *testing.T, w *world, n int) string {
	t.Helper()
	for i := 1; i <= n; i++ {
		if m := w.platformTask(taskID(i)); m["owner"] != nil && m["status"] == "requested" {
			if ref, _ := m["owner"].(map[string]any)["reference"].(string); ref == referralgen.OwnerOrganization {
				return taskID(i)
			}
		}
	}
	t.Fatal("no requested Task of the demo organization")
	return ""
}

// A Task that gives a member twice is read differently by different
// readers; the one that gave "id" twice before "meta" was stored with no
// version. It must be left out of the sync, named as damaged, and the other
// referrals of its page stored.
func TestSyncSkipsATaskThatGivesAMemberTwice(t *testing.T) {
	const n = 20
	for _, tt := range []struct {
		name   string
		damage func(m map[string]json.RawMessage) []byte
		member string
	}{
		{"id twice", func(m map[string]json.RawMessage) []byte {
			// In the order real servers write: resourceType, id, meta first.
			return objectWith(m, [2]string{"resourceType", `"Task"`}, [2]string{"id", string(m["id"])},
				[2]string{"id", string(m["id"])}, [2]string{"meta", string(m["meta"])})
		}, `"id"`},
		{"meta twice", func(m map[string]json.RawMessage) []byte {
			return objectWith(m, [2]string{"resourceType", `"Task"`}, [2]string{"id", string(m["id"])},
				[2]string{"meta", `{}`}, [2]string{"meta", string(m["meta"])})
		}, `"meta"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var target string
			damaged := 0
			var mu sync.Mutex
			w := newDamagingWorld(t, fhirtest.Options{Referrals: n}, func(req *http.Request, body []byte) []byte {
				if req.Method != http.MethodGet || req.URL.Path != "/fhir/Task" || target == "" {
					return body
				}
				out, ok := editTask(t, body, target, tt.damage)
				if ok {
					mu.Lock()
					damaged++
					mu.Unlock()
				}
				return out
			})
			target = firstOwned(t, w, n)
			src := w.connect(app.ConnectOptions{})
			rep := w.sync(src.ID)
			if damaged == 0 {
				t.Fatalf("Task/%s was never in a search page: the test damaged nothing", target)
			}
			if !slices.ContainsFunc(rep.Skipped, func(s string) bool {
				return strings.Contains(s, "Task/"+target) && strings.Contains(s, tt.member)
			}) {
				t.Errorf("the sync's skipped entries %q do not name Task/%s as giving %s twice", rep.Skipped, target, tt.member)
			}
			if d, err := w.app.Referral(w.ctx, src.ID, target); err == nil {
				t.Errorf("Task/%s, which gives %s twice, was stored (version %q): a malformed resource must be refused, not stored with what one reader makes of it",
					target, tt.member, d.VersionID)
			}
			refs, err := w.app.Inbox(w.ctx, app.InboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if want := ownedCount(w, n) - 1; len(refs) != want {
				t.Errorf("inbox has %d referrals; want the other %d of the page stored", len(refs), want)
			}
			for _, r := range refs {
				if r.VersionID == "" {
					t.Errorf("Task/%s stored without a version: its next status change would go out without If-Match", r.TaskID)
				}
			}
		})
	}
}

// putRecorder records the If-Match of every PUT the platform receives.
type putRecorder struct {
	mu       sync.Mutex
	ifMatchs []string
}

func (p *putRecorder) watch(s *fhirtest.Server) {
	s.SetFault(func(_ http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPut {
			p.mu.Lock()
			p.ifMatchs = append(p.ifMatchs, req.Header.Get("If-Match"))
			p.mu.Unlock()
		}
		return false
	})
}

func (p *putRecorder) puts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ifMatchs)
}

// stripVersion is a platform that gives Task/id no meta.versionId (FHIR
// makes it optional), in searches and reads alike.
func stripVersion(t *testing.T, id *string) func(req *http.Request, body []byte) []byte {
	return func(req *http.Request, body []byte) []byte {
		if req.Method != http.MethodGet || *id == "" || !strings.HasPrefix(req.URL.Path, "/fhir/Task") {
			return body
		}
		out, _ := editTask(t, body, *id, func(m map[string]json.RawMessage) []byte {
			var meta map[string]json.RawMessage
			if err := json.Unmarshal(m["meta"], &meta); err != nil {
				t.Fatal(err)
			}
			delete(meta, "versionId")
			m["meta"] = mustMarshal(t, meta)
			return mustMarshal(t, m)
		})
		return out
	}
}

// A status change to a referral that has no version is never sent: a PUT
// without If-Match would overwrite whatever the platform has. The change is
// refused, saying why (kept queued it would wait forever on a platform that
// keeps no versions), and does not hold up the changes after it.
func TestStatusChangeWithoutAVersionIsNeverSent(t *testing.T) {
	const n = 20
	var target string
	w := newDamagingWorld(t, fhirtest.Options{Referrals: n}, stripVersion(t, &target))
	target = firstOwned(t, w, n)
	src := w.connect(app.ConnectOptions{})
	w.sync(src.ID)
	row, err := w.app.FindReferral(w.ctx, target)
	if err != nil || row.VersionID != "" {
		t.Fatalf("Task/%s: version %q, err %v; the test needs it stored without one", target, row.VersionID, err)
	}
	var rec putRecorder
	rec.watch(w.server)

	out, err := w.app.SetStatus(w.ctx, src.ID, target, "accepted", "")
	if err != nil {
		t.Fatalf("SetStatus: %v; want the change kept, not an error", err)
	}
	for _, ifMatch := range rec.puts() {
		if ifMatch == "" {
			t.Fatalf("the platform received a PUT without If-Match for a referral with no version: it overwrites whatever the platform has")
		}
	}
	if len(rec.puts()) != 0 || out.Sent {
		t.Errorf("%d PUTs sent (sent=%v); want none for a referral with no version", len(rec.puts()), out.Sent)
	}
	if out.Change.State != app.ChangeRefused || !strings.Contains(out.Message(), "no version") {
		t.Errorf("change %q, message %q; want it refused, saying the referral has no version", out.Change.State, out.Message())
	}
	if row, err := w.app.FindReferral(w.ctx, target); err != nil || row.Pending {
		t.Errorf("the referral is still locked by a change that can never be sent (pending=%v, err %v)", row.Pending, err)
	}
	if got := w.platformTask(target)["status"]; got != "requested" {
		t.Errorf("platform status %v; want it untouched", got)
	}

	// A later change, queued while the platform was down, is sent at the
	// next sync although the change without a version is older.
	other := ""
	refs, _ := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: []string{"requested"}})
	for _, r := range refs {
		if r.TaskID != target {
			other = r.TaskID
			break
		}
	}
	w.server.SetFault(func(rw http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPut {
			rw.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	if out, err := w.app.SetStatus(w.ctx, src.ID, other, "accepted", ""); err != nil || out.Sent {
		t.Fatalf("SetStatus while the platform is down: sent=%v err=%v; want it queued", out.Sent, err)
	}
	rec.watch(w.server)
	rep := w.sync(src.ID)
	if rep.Sent != 1 || w.platformTask(other)["status"] != "accepted" {
		t.Errorf("next sync sent %d changes (Task/%s is %v); want the later change sent, not held up by the one without a version",
			rep.Sent, other, w.platformTask(other)["status"])
	}
	for _, ifMatch := range rec.puts() {
		if ifMatch == "" {
			t.Errorf("the sync sent a PUT without If-Match")
		}
	}
	changes, _ := w.store.ChangesForTask(w.ctx, src.ID, target)
	if len(changes) != 1 || changes[0].State != storage.ChangeRefused || changes[0].Attempts != 1 {
		t.Errorf("changes to Task/%s: %+v; want the one change refused, never tried again", target, changes)
	}
}
