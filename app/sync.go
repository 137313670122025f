package app

import (
	"context"
	"net/url"
	"strconv"
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
	srcs, err := a.store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	var out []SyncReport
	for _, s := range srcs {
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
		if src, e := a.store.Source(ctx, id); e == nil {
			rep.Source = src
		}
		return rep, err
	}
	rep.Source = s.src
	before := s.fhir.Requests()
	defer func() { rep.Requests = s.fhir.Requests() - before }()

	if err := a.sendPending(ctx, s, &rep); err != nil {
		a.noteFailure(ctx, id, err)
		return rep, err
	}
	src, err := a.store.Source(ctx, id)
	if err != nil {
		return rep, err
	}
	q := url.Values{
		"owner":    {src.Owner},
		"_include": {"Task:focus", "Task:patient", "Task:requester"},
		"_sort":    {"_lastUpdated"},
		"_count":   {strconv.Itoa(a.page)},
	}
	if src.Watermark != "" {
		q.Set("_lastUpdated", "gt"+src.Watermark)
	}
	stats, err := s.fhir.Search(ctx, "Task", q, func(p fhir.Page) error {
		return a.savePage(ctx, s, p, &rep)
	})
	if err != nil {
		a.noteFailure(ctx, id, err)
		return rep, err
	}
	mark := stats.ServerTime
	if mark == "" {
		mark = src.Watermark // a server that gives no time: never skip ahead on our clock
	}
	if err := a.store.FinishSync(ctx, id, mark, a.now()); err != nil {
		return rep, err
	}
	rep.Source.Watermark = mark
	return rep, nil
}

// savePage stores one page: its Tasks, what they reference (fetched in
// batches when neither the page nor the store has it) and their inbox rows.
func (a *App) savePage(ctx context.Context, s *session, p fhir.Page, rep *SyncReport) error {
	rep.Skipped = append(rep.Skipped, p.Skipped...)
	page := newResourceSet(ctx, a.store, s.src.ID)
	for _, r := range p.Included {
		page.add(r)
	}
	var tasks []fhir.Resource
	for _, r := range p.Matches {
		if r.Type == "Task" {
			page.add(r)
			tasks = append(tasks, r)
		}
	}
	// Two rounds: the Tasks' references, then what those point at
	// (the ServiceRequest's consent and conditions, the requester's organization).
	for round := 0; round < 2; round++ {
		var want []string
		for _, r := range page.fresh {
			for _, ref := range referencesOf(r) {
				if !page.has(ref) {
					want = append(want, ref)
				}
			}
		}
		page.fresh = nil
		if len(want) == 0 {
			break
		}
		got, err := s.fhir.Batch(ctx, dedupe(want))
		if err != nil {
			return err
		}
		for _, g := range got {
			if g.Err == nil {
				page.add(g.Resource)
			} else {
				page.missing[g.Ref] = true
			}
		}
	}
	rows := make([]storage.Referral, 0, len(tasks))
	for _, t := range tasks {
		row, err := referralRow(s.src.ID, t, page.get)
		if err != nil {
			rep.Skipped = append(rep.Skipped, t.Ref()+" could not be read: "+err.Error())
			continue
		}
		rows = append(rows, row)
	}
	counts, err := a.store.SaveSyncPage(ctx, s.src.ID, page.toStore(), rows)
	if err != nil {
		return err
	}
	rep.New += counts.New
	rep.Updated += counts.Updated
	rep.Unchanged += counts.Unchanged
	return nil
}

// referencesOf lists what Referral Desk reads alongside a resource.
func referencesOf(r fhir.Resource) []string {
	var refs []fhir.Reference
	switch r.Type {
	case "Task":
		if t, err := fhir.Decode[fhir.Task](r.Raw); err == nil {
			refs = append(refs, t.Focus, t.For, t.Requester)
		}
	case "ServiceRequest":
		if sr, err := fhir.Decode[fhir.ServiceRequest](r.Raw); err == nil {
			refs = append(refs, sr.Subject, sr.Requester)
			refs = append(refs, sr.SupportingInfo...)
			refs = append(refs, sr.ReasonReference...)
		}
	case "PractitionerRole":
		if pr, err := fhir.Decode[fhir.PractitionerRole](r.Raw); err == nil {
			refs = append(refs, pr.Practitioner, pr.Organization)
		}
	}
	var out []string
	for _, ref := range refs {
		if typ, id, ok := ref.TypeID(); ok && !strings.Contains(ref.Reference, "://") {
			out = append(out, typ+"/"+id)
		}
	}
	return out
}

func dedupe(refs []string) []string {
	seen := make(map[string]bool, len(refs))
	out := refs[:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// resourceSet is the resources of one sync page, backed by what is stored.
type resourceSet struct {
	ctx     context.Context
	store   *storage.DB
	source  int64
	byRef   map[string]fhir.Resource
	fresh   []fhir.Resource // added since the last reference round
	missing map[string]bool // the server does not have them
}

func newResourceSet(ctx context.Context, store *storage.DB, source int64) *resourceSet {
	return &resourceSet{ctx: ctx, store: store, source: source, byRef: map[string]fhir.Resource{}, missing: map[string]bool{}}
}

func (rs *resourceSet) add(r fhir.Resource) {
	if _, ok := rs.byRef[r.Ref()]; ok {
		return
	}
	rs.byRef[r.Ref()] = r
	rs.fresh = append(rs.fresh, r)
}

// has reports whether ref is in the page, known missing, or already stored.
func (rs *resourceSet) has(ref string) bool {
	if _, ok := rs.byRef[ref]; ok || rs.missing[ref] {
		return true
	}
	_, ok := rs.stored(ref)
	return ok
}

func (rs *resourceSet) stored(ref string) (fhir.Resource, bool) {
	typ, id, ok := fhir.SplitReference(ref)
	if !ok {
		return fhir.Resource{}, false
	}
	sr, err := rs.store.Resource(rs.ctx, rs.source, typ, id)
	if err != nil {
		return fhir.Resource{}, false
	}
	r, err := fhir.ParseResource(sr.JSON)
	return r, err == nil
}

// get finds a referenced resource in the page or the store.
func (rs *resourceSet) get(ref string) (fhir.Resource, bool) {
	if r, ok := rs.byRef[ref]; ok {
		return r, true
	}
	return rs.stored(ref)
}

func (rs *resourceSet) toStore() []storage.Resource {
	out := make([]storage.Resource, 0, len(rs.byRef))
	for _, r := range rs.byRef {
		out = append(out, storeResource(rs.source, r))
	}
	return out
}

func storeResource(source int64, r fhir.Resource) storage.Resource {
	return storage.Resource{SourceID: source, Type: r.Type, ID: r.ID, VersionID: r.Meta.VersionID,
		LastUpdated: r.Meta.LastUpdated, JSON: r.Raw}
}
