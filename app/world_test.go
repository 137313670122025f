package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
	"github.com/referraldesk/referraldesk/storage"
	"github.com/referraldesk/referraldesk/storage/keys"
)

func newClock() *fhirtest.Clock {
	return fhirtest.NewClock(time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC))
}

// world is one referral platform and one Referral Desk with a real database file.
type world struct {
	t        *testing.T
	ctx      context.Context
	clock    *fhirtest.Clock
	server   *fhirtest.Server
	store    *storage.DB
	app      *app.App
	dbPath   string
	pageSize int
	http     *http.Client // nil: the app's own
	log      *slog.Logger // nil: nowhere
	key      []byte       // the data key once encrypt has encrypted the store
}

func newWorld(t *testing.T, opts fhirtest.Options) *world {
	return newWorldPaged(t, opts, 0)
}

// newWorldPaged is newWorld with Referral Desk asking for pageSize Tasks per page.
func newWorldPaged(t *testing.T, opts fhirtest.Options, pageSize int) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clock: newClock(), pageSize: pageSize}
	if opts.Now == nil {
		opts.Now = w.clock.Now
	}
	w.server = fhirtest.New(t, opts)
	w.dbPath = filepath.Join(t.TempDir(), "referraldesk.db")
	w.reopen(w.server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword))
	return w
}

// reopen starts Referral Desk again over the same database file.
func (w *world) reopen(browser func(string) error) {
	w.t.Helper()
	if w.store != nil {
		w.store.Close()
	}
	opts := []storage.Option{storage.WithClock(w.clock.Now)}
	if w.key != nil {
		opts = append(opts, storage.WithDataKey(w.key))
	}
	st, err := storage.Open(w.dbPath, opts...)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { st.Close() })
	w.store = st
	w.app = app.New(app.Options{Store: st, HTTP: w.http, OpenBrowser: browser, Now: w.clock.Now,
		SignInWait: 30 * time.Second, PageSize: w.pageSize, Log: w.log})
}

// encrypt encrypts the store in place, as SetUp does, and reopens it.
func (w *world) encrypt(browser func(string) error) {
	w.t.Helper()
	w.store.Close()
	key, err := keys.NewDataKey()
	if err != nil {
		w.t.Fatal(err)
	}
	wrapped, err := keys.WrapWithRecovery(key, "0000-0000-0000-0000-0000-0000-0000-0000")
	if err != nil {
		w.t.Fatal(err)
	}
	if err := storage.EncryptFile(w.ctx, w.dbPath, key, keys.Vault{Passphrase: wrapped, Recovery: wrapped}); err != nil {
		w.t.Fatal(err)
	}
	w.key, w.store = key, nil
	w.reopen(browser)
}

// connect connects to the platform and returns the source.
func (w *world) connect(o app.ConnectOptions) app.Source {
	w.t.Helper()
	if o.Link == "" {
		o.Link = w.server.FHIRBase()
	}
	src, err := w.app.Connect(w.ctx, o)
	if err != nil {
		w.t.Fatalf("connect: %v (%s)", err, app.Explain(err))
	}
	return src
}

func (w *world) sync(id int64) app.SyncReport {
	w.t.Helper()
	rep, err := w.app.Sync(w.ctx, id)
	if err != nil {
		w.t.Fatalf("sync: %v (%s)", err, app.Explain(err))
	}
	return rep
}

// platformTask is the platform's own copy of a Task, decoded.
func (w *world) platformTask(id string) map[string]any {
	w.t.Helper()
	raw, ok := w.server.Resource("Task", id)
	if !ok {
		w.t.Fatalf("the platform has no Task/%s", id)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		w.t.Fatal(err)
	}
	return m
}

// firstWithStatus returns an inbox referral with the given status.
func (w *world) firstWithStatus(status string) app.Referral {
	w.t.Helper()
	refs, err := w.app.Inbox(w.ctx, app.InboxFilter{Statuses: []string{status}})
	if err != nil || len(refs) == 0 {
		w.t.Fatalf("no %s referral in the inbox (err %v)", status, err)
	}
	return refs[0]
}

// ownedCount counts the platform's Tasks owned by the demo organization.
func ownedCount(w *world, n int) int {
	count := 0
	for i := 1; i <= n; i++ {
		if m := w.platformTask(taskID(i)); m["owner"] != nil {
			if ref, _ := m["owner"].(map[string]any)["reference"].(string); ref == referralgen.OwnerOrganization {
				count++
			}
		}
	}
	return count
}

func taskID(i int) string {
	return "task-" + string([]byte{byte('0' + i/10000%10), byte('0' + i/1000%10), byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)})
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
