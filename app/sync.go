package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// SyncReport says what one sync of one source did.
type SyncReport struct {
	Source                   Source
	New, Updated, Unchanged  int // referral Tasks
	Sent, Conflicts, Refused int // queued changes sent first
	Requests                 int64
	Duration                 time.Duration
	Skipped                  []string // entries that could not be read (left out, nothing else lost)
	Err                      error
}

// SyncAll syncs every source that is not waiting for a sign-in.
func (a *App) SyncAll(ctx context.Context) ([]SyncReport, error) {
	srcs, err := a.Sources(ctx)
	if err != nil {
		return nil, err
	}
	var out []SyncReport
	for _, s := range srcs {
		if s.State == SourceNeedsSignIn {
			// Asking again would only repeat a refused refresh (strict servers
			// count a reused refresh token against the grant).
			out = append(out, SyncReport{Source: s, Err: &Error{Op: "sync", Kind: KindSignInNeeded, Reason: reasonSignInAgain, Platform: s.Name}})
			continue
		}
		rep, err := a.Sync(ctx, s.ID)
		rep.Err = err
		out = append(out, rep)
	}
	return out, nil
}

// Sync sends the source's queued changes, then fetches the referral Tasks it
// owns that changed since the last complete sync (by the server's clock),
// with what they reference. Each page is stored in one transaction; the
// watermark moves only when the whole sync succeeded, so a failure on page 3
// makes the next sync start from the same point.
func (a *App) Sync(ctx context.Context, id int64) (rep SyncReport, err error) {
	defer a.lock(id)()
	started := time.Now()
	defer func() { rep.Duration = time.Since(started) }()
	s, err := a.session(ctx, id)
	if err != nil {
		a.noteFailure(ctx, id, err)
		if src, e := a.Source(ctx, id); e == nil {
			rep.Source = src
		}
		return rep, err
	}
	rep.Source = s.src
	before := s.fhir.Requests()
	defer func() { rep.Requests = s.fhir.Requests() - before }()
	if err := a.syncTasks(ctx, s, &rep); err != nil {
		a.noteFailure(ctx, id, err)
		return rep, err
	}
	return rep, nil
}

// syncTasks sends the queued changes, then brings the changed Tasks page by
// page: fetch a page, resolve what its Tasks reference, compute their inbox
// rows, store the page. The steps of consecutive pages overlap (pageLine).
func (a *App) syncTasks(ctx context.Context, s *session, rep *SyncReport) error {
	if err := a.sendPending(ctx, s, rep); err != nil {
		return err
	}
	src, err := a.store.Source(ctx, s.src.ID)
	if err != nil {
		return err
	}
	// A first sync asks for the count, to show how far it has come.
	q, err := fhir.TaskSearch{Owner: src.Owner, Since: src.Watermark, PageSize: a.page,
		Include: []string{"Task:focus", "Task:patient", "Task:requester"}, Total: src.Watermark == ""}.Query()
	if err != nil {
		return err
	}
	line := a.startLine(ctx, s)
	stats, err := s.fhir.Search(ctx, "Task", q, line.add)
	counts, skipped, err := line.finish(err)
	rep.New, rep.Updated, rep.Unchanged, rep.Skipped = counts.New, counts.Updated, counts.Unchanged, skipped
	if err != nil {
		return err
	}
	mark := stats.ServerTime
	if mark == "" || len(skipped) > 0 {
		// A server that gives no time: never skip ahead on our clock. An
		// entry left out unread: the next sync asks for it again, rather
		// than pass it by until it changes on the platform.
		mark = src.Watermark
	}
	if err := a.store.FinishSync(ctx, s.src.ID, mark, a.now()); err != nil {
		return err
	}
	rep.Source.Watermark = mark
	return nil
}

// syncPage is one page of a sync on its way to the store.
type syncPage struct {
	tasks   []fhir.Resource   // its referral Tasks
	refs    *resources        // what the page brought and what its Tasks reference
	skipped []string          // its entries and Tasks that could not be read
	ready   *storage.SyncPage // its resources and inbox rows, ready to store
}

// preparePage takes a fetched page through the steps before storing: the
// references it needs, then its inbox rows, ready for the writer.
func (a *App) preparePage(ctx context.Context, s *session, p fhir.Page, unstored *unstoredPages) (*syncPage, error) {
	page := &syncPage{refs: newResources(ctx, a.store, s.src.ID), skipped: p.Skipped}
	page.refs.unstored = unstored
	for _, r := range p.Included {
		page.refs.bring(r)
	}
	for _, r := range p.Matches {
		if r.Type == "Task" && page.refs.bring(r) {
			page.tasks = append(page.tasks, r)
		}
	}
	if err := a.resolve(ctx, s, page.refs); err != nil {
		return nil, err
	}
	rows, skipped, err := rowsOf(s.src.ID, page.tasks, page.refs)
	if err != nil {
		return nil, err
	}
	page.skipped = append(page.skipped, skipped...)
	page.ready, err = a.store.PrepareSyncPage(s.src.ID, page.refs.toStore(), rows)
	return page, err
}

// resolve fetches in batches what the resources a page brought reference
// and neither the page, the sync's other pages nor the store has: the
// Tasks' focus, patient and requester, then what those point at (the
// ServiceRequest's consent and conditions, the requester's organization).
func (a *App) resolve(ctx context.Context, s *session, rs *resources) error {
	fresh := make([]fhir.Resource, 0, len(rs.brought))
	for _, r := range rs.brought {
		fresh = append(fresh, r)
	}
	for range 2 {
		want, err := rs.missing(referencesOf(fresh))
		if err != nil || len(want) == 0 {
			return err
		}
		got, err := s.fhir.Batch(ctx, want)
		if err != nil {
			return err
		}
		fresh = fresh[:0]
		for _, g := range got {
			if g.Err == nil && rs.bring(g.Resource) {
				fresh = append(fresh, g.Resource)
			}
		}
	}
	return nil
}

// referencesOf lists, once each, the resources Referral Desk reads
// alongside these ("Type/id", on the same platform).
func referencesOf(rs []fhir.Resource) []string {
	var refs []fhir.Reference
	for _, r := range rs {
		if t, ok := fhir.As[fhir.Task](r); ok {
			refs = append(refs, t.Focus, t.For, t.Requester)
			refs = append(refs, sentWith(t)...)
			for _, o := range t.Output { // what the organization reported, for the view
				if o.ValueReference != nil {
					refs = append(refs, *o.ValueReference)
				}
			}
		} else if sr, ok := fhir.As[fhir.ServiceRequest](r); ok {
			refs = append(refs, sr.Subject, sr.Requester)
			refs = append(refs, sr.SupportingInfo...)
			refs = append(refs, sr.ReasonReference...)
		} else if pr, ok := fhir.As[fhir.PractitionerRole](r); ok {
			refs = append(refs, pr.Practitioner, pr.Organization)
		}
	}
	seen := make(map[string]bool, len(refs))
	var out []string
	for _, ref := range refs {
		typ, id, ok := ref.TypeID()
		if !ok || strings.Contains(ref.Reference, "://") || seen[typ+"/"+id] {
			continue
		}
		seen[typ+"/"+id] = true
		out = append(out, typ+"/"+id)
	}
	return out
}

// sentWith lists what a requester attached to a referral Task: its inputs
// of type additional-content (IG 3.0.0 content-rich referrals).
func sentWith(t fhir.Task) []fhir.Reference {
	var refs []fhir.Reference
	for _, in := range t.Input {
		if in.Type.Has(fhir.SystemSDOHTemporary, fhir.CodeAdditionalContent) && in.ValueReference != nil {
			refs = append(refs, *in.ValueReference)
		}
	}
	return refs
}

// rowsOf computes the inbox rows of a page's Tasks; a Task that cannot be
// read is left out, and named in skipped. When the store could not be read,
// no row is returned: a row computed without what it references would be
// saved with a blank person or need.
func rowsOf(source int64, tasks []fhir.Resource, rs *resources) (rows []storage.Referral, skipped []string, err error) {
	rows = make([]storage.Referral, 0, len(tasks))
	for _, t := range tasks {
		row, err := referralRow(source, t, rs)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s could not be read: %v", t.Ref(), err))
			continue
		}
		rows = append(rows, row)
	}
	if rs.err != nil {
		return nil, nil, rs.err
	}
	return rows, skipped, nil
}
