package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/storage"
)

// The targets with 100 000 referrals cached: the inbox within 1.5 s
// of start, search within 50 ms per keystroke, smooth scrolling.
const benchReferrals = 100_000

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchDB is one SQLite file with 100 000 referrals, written once per run
// through storage.SaveSyncPage as a sync would.
func benchDB(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "referraldesk-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "referraldesk.db")
		benchErr = fillBenchDB(benchPath)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func fillBenchDB(path string) error {
	ctx := context.Background()
	st, err := storage.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	src, err := st.AddSource(ctx, storage.Source{Name: "Eastside Referral Network", FHIRBase: "https://a.example/fhir",
		Owner: "Organization/cbo", State: storage.StateOK})
	if err != nil {
		return err
	}
	first := []string{"Maria", "James", "Aisha", "Wei", "Olga", "Carlos", "Fatima", "John", "Priya", "Kofi"}
	last := []string{"Garcia", "Smith", "Nguyen", "Okafor", "Kowalski", "Haddad", "Johnson", "Patel", "Mensah", "Lopez"}
	cats := []string{"food-insecurity", "housing-instability", "transportation-insecurity", "financial-insecurity"}
	statuses := []string{"requested", "accepted", "in-progress", "on-hold", "completed", "rejected"}
	prios := []string{"routine", "urgent", "asap", "routine"}
	const per = 1000
	for p := 0; p < benchReferrals/per; p++ {
		rows := make([]storage.Referral, 0, per)
		for i := range per {
			k := p*per + i
			at := fmt.Sprintf("2026-%02d-%02dT%02d:%02d:00Z", 1+k%10, 1+k%28, k%24, k%60)
			rows = append(rows, storage.Referral{TaskID: fmt.Sprintf("task-%07d", k), Status: statuses[k%len(statuses)],
				Priority: prios[k%len(prios)], Category: cats[k%len(cats)],
				Person: first[k%10] + " " + last[(k/10)%10], Need: "Food Insecurity — Assistance with application for food pantry program",
				Requester: "Eastside Community Clinic", AuthoredOn: at, LastUpdated: at, VersionID: "1", Consent: "active"})
		}
		if _, err := st.SaveSyncPage(ctx, src, nil, rows); err != nil {
			return err
		}
	}
	return st.FinishSync(ctx, src, "2026-11-01T00:00:00Z", now)
}

func benchApp(b *testing.B) (*app.App, func()) {
	st, err := storage.Open(benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	return app.New(app.Options{Store: st, Now: clock}), func() { st.Close() }
}

// BenchmarkInboxFirstPage: what switching to a view costs: its count and first page.
func BenchmarkInboxFirstPage(b *testing.B) {
	a, done := benchApp(b)
	defer done()
	ctx := context.Background()
	for _, v := range views {
		b.Run(v.label, func(b *testing.B) {
			for b.Loop() {
				f := app.InboxFilter{Statuses: v.statuses}
				if _, err := a.CountInbox(ctx, f); err != nil {
					b.Fatal(err)
				}
				f.Limit = pageSize
				if rows, err := a.Inbox(ctx, f); err != nil || len(rows) != pageSize {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
		})
	}
}

// BenchmarkSearchKeystrokes: typing "maria" in the All view through the
// window's own path (search box → count and first page → list refreshed),
// with the work run inline so each op is one keystroke's full latency.
func BenchmarkSearchKeystrokes(b *testing.B) {
	a, done := benchApp(b)
	defer done()
	fa := test.NewTempApp(b)
	w := New(fa, Options{App: a, Now: clock, SyncEvery: -1, Dispatch: func(f func()) { f() }, Go: func(f func()) { f() }})
	defer w.win.Close()
	w.inbox.setView(viewAll)
	for _, q := range []string{"m", "ma", "mar", "mari", "maria"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				w.inbox.search.SetText(q)
				b.StopTimer()
				w.inbox.search.SetText("") // back, so the next op types the same keystroke again
				b.StartTimer()
			}
		})
	}
}

// BenchmarkStartToFirstInbox: open the store, build the window (Fyne's test
// driver) and load the first page and the view counts: what stands between
// double-click and a usable inbox, minus the GL window itself.
func BenchmarkStartToFirstInbox(b *testing.B) {
	path := benchDB(b)
	fa := test.NewTempApp(b)
	for b.Loop() {
		st, err := storage.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		w := New(fa, Options{App: app.New(app.Options{Store: st, Now: clock}), Now: clock, SyncEvery: -1,
			Dispatch: func(f func()) { f() }, Go: func(f func()) { f() }})
		if w.inbox.count == 0 {
			b.Fatal("the inbox is empty")
		}
		w.win.Close()
		st.Close()
	}
}

// BenchmarkListScroll: jumping through 100 000 rows of All; each op is one
// ScrollTo that needs a page not yet cached (query plus layout).
func BenchmarkListScroll(b *testing.B) {
	a, done := benchApp(b)
	defer done()
	fa := test.NewTempApp(b)
	w := New(fa, Options{App: a, Now: clock, SyncEvery: -1, Dispatch: func(f func()) { f() }, Go: func(f func()) { f() }})
	defer w.win.Close()
	w.win.Resize(fyne.NewSize(1366, 768))
	w.inbox.setView(viewAll)
	if w.inbox.count != benchReferrals {
		b.Fatalf("All shows %d, want %d", w.inbox.count, benchReferrals)
	}
	i := 0
	for b.Loop() {
		i = (i + 997*pageSize/10) % benchReferrals
		w.inbox.list.ScrollTo(i)
	}
}
