package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

	if err := a.sendPending(ctx, s, &rep); err != nil {
		a.noteFailure(ctx, id, err)
		return rep, err
	}
	src, err := a.store.Source(ctx, id)
	if err != nil {
		return rep, err
	}
	q, err := fhir.TaskSearch{Owner: src.Owner, Since: src.Watermark, PageSize: a.page,
		Include: []string{"Task:focus", "Task:patient", "Task:requester"}}.Query()
	if err != nil {
		a.noteFailure(ctx, id, err)
		return rep, err
	}
	// Pages flow through stages that overlap: fhir.SearchPrepared fetches
	// them and has up to fhir.PagesPreparedAtOnce prepared at once
	// (preparePage: the references they need, read in batches, then their
	// inbox rows, ready to store); in page order the one writer then stores
	// them (pageSaver).
	saver := a.startSaver(ctx)
	unsaved, err := a.newPagesInFlight(ctx, id)
	if err != nil {
		return rep, err
	}
	stats, err := s.fhir.SearchPrepared(ctx, "Task", q,
		func(ctx context.Context, p fhir.Page) (any, error) { return a.preparePage(ctx, s, p, unsaved) },
		func(p fhir.Page, prepared any) error {
			page := prepared.(*preparedPage)
			rep.Skipped = append(rep.Skipped, p.Skipped...)
			rep.Skipped = append(rep.Skipped, page.skipped...)
			return saver.save(page)
		})
	counts, serr := saver.finish()
	rep.New, rep.Updated, rep.Unchanged = counts.New, counts.Updated, counts.Unchanged
	if err == nil {
		err = serr
	}
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

// resolvePage gathers what one page's Tasks reference, fetching in batches
// what neither this page, a page resolved and not yet stored, nor the store
// has. Pages are resolved several at once (fhir.SearchPrepared): what two
// reference is then fetched twice, and stored twice, harmlessly.
func (a *App) resolvePage(ctx context.Context, s *session, p fhir.Page, unsaved *pagesInFlight) (*resourceSet, error) {
	page := newResourceSet(ctx, a.store, s.src.ID)
	// What a page's references bring is about as much again as the page
	// itself (10 000 referrals: 30 000 resources in the pages, 21 500 read
	// in batches): room for both saves growing the map on the way.
	brought := len(p.Included) + len(p.Matches)
	page.byRef, page.fresh = make(map[string]fhir.Resource, 2*brought), make([]fhir.Resource, 0, brought)
	page.earlier, page.seen = unsaved.unsaved()
	page.inFlight = unsaved
	for _, r := range p.Included {
		page.add(r)
	}
	for _, r := range p.Matches {
		if r.Type == "Task" {
			page.add(r)
			page.tasks = append(page.tasks, r)
		}
	}
	// Two rounds: the Tasks' references, then what those point at
	// (the ServiceRequest's consent and conditions, the requester's organization).
	for round := 0; round < 2; round++ {
		var want []string
		for _, r := range page.fresh {
			want = append(want, referencesOf(page, r)...)
		}
		page.fresh = nil
		want, err := page.unknown(dedupe(want))
		if err != nil {
			return nil, err
		}
		if len(want) == 0 {
			break
		}
		got, err := s.fhir.Batch(ctx, want)
		if err != nil {
			return nil, err
		}
		for _, g := range got {
			if g.Err == nil {
				page.add(g.Resource)
			} else {
				page.missing[g.Ref] = true
			}
		}
	}
	unsaved.add(page)
	return page, nil
}

// preparedPage is a sync page resolved and made ready to store.
type preparedPage struct {
	set     *resourceSet
	store   *storage.SyncPage
	skipped []string // its Tasks that could not be read
}

// preparePage resolves a page, computes its inbox rows and gets it ready for
// the writer, so that storing a page is all the writer does.
func (a *App) preparePage(ctx context.Context, s *session, p fhir.Page, unsaved *pagesInFlight) (*preparedPage, error) {
	set, err := a.resolvePage(ctx, s, p, unsaved)
	if err != nil {
		return nil, err
	}
	rows, skipped, err := rowsOf(s.src.ID, set)
	if err != nil {
		return nil, err
	}
	ready, err := a.store.PrepareSyncPage(s.src.ID, set.toStore(), rows)
	if err != nil {
		return nil, err
	}
	return &preparedPage{set: set, store: ready, skipped: skipped}, nil
}

// rowsOf computes the inbox rows of a resolved page's Tasks; a Task that
// cannot be read is left out, and named in skipped. When the store could not
// be read, no row is returned: a row computed without what it references
// would be saved with a blank person or need.
func rowsOf(source int64, page *resourceSet) (rows []storage.Referral, skipped []string, err error) {
	rows = make([]storage.Referral, 0, len(page.tasks))
	for _, t := range page.tasks {
		row, err := referralRow(source, t, page)
		if err != nil {
			skipped = append(skipped, t.Ref()+" could not be read: "+err.Error())
			continue
		}
		rows = append(rows, row)
	}
	if page.err != nil {
		return nil, nil, page.err
	}
	return rows, skipped, nil
}

// pagesInFlight is what a sync knows of its own pages: those resolved and
// not yet stored, whose resources a later page finds there rather than in
// the store, everything its pages brought, and what they read from the
// store.
type pagesInFlight struct {
	mu    sync.Mutex
	pages []*resourceSet
	added int // pages added so far
	// brought tells, for each reference a page brought, how many pages had
	// been added when the last of them was. In a first sync the store holds
	// only what this sync brought, and what is not in brought is not looked
	// up in the store (a 10 000-referral sync looked up ~20 000 references
	// in vain).
	brought   map[string]int
	firstSync bool
	// read holds what pages of this sync read from the store, by reference,
	// until a later page brings it anew: most pages reference the
	// requesters' Practitioners and Organizations, which few bring, and
	// reading them once a page was ~3 % of a first sync's CPU.
	read map[string]fhir.Resource
}

// mostReadKept bounds pagesInFlight.read: a sync reads a few hundred
// resources many times, and the rest once.
const mostReadKept = 4096

func (a *App) newPagesInFlight(ctx context.Context, source int64) (*pagesInFlight, error) {
	has, err := a.store.HasResources(ctx, source)
	if err != nil {
		return nil, err
	}
	return &pagesInFlight{firstSync: !has, brought: map[string]int{}, read: map[string]fhir.Resource{}}, nil
}

// mayBeStored reports whether ref may be in the store.
func (f *pagesInFlight) mayBeStored(ref string) bool {
	if !f.firstSync {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.brought[ref]
	return ok
}

// unsaved returns the pages not stored yet, in a slice of its own, and how
// many pages had been added.
func (f *pagesInFlight) unsaved() ([]*resourceSet, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*resourceSet
	for _, p := range f.pages {
		if !p.saved.Load() {
			out = append(out, p)
		}
	}
	f.pages = out
	return append([]*resourceSet(nil), out...), f.added
}

// add lists a page once it is resolved: from then on nothing changes it but
// its own row building, which only reads byRef.
func (f *pagesInFlight) add(page *resourceSet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages = append(f.pages, page)
	f.added++
	for ref := range page.byRef {
		f.brought[ref] = f.added
		delete(f.read, ref)
	}
}

// readBefore returns what a page of this sync read of ref from the store,
// if no page brought it since.
func (f *pagesInFlight) readBefore(ref string) (fhir.Resource, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.read[ref]
	return r, ok
}

// remember keeps r, read from the store for ref by a page that saw added
// pages unsaved or stored, unless a page added since brought ref: that one
// was neither, and may hold a newer ref.
func (f *pagesInFlight) remember(added int, ref string, r fhir.Resource) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.brought[ref] <= added && len(f.read) < mostReadKept {
		f.read[ref] = r
	}
}

// pageSaver stores prepared pages in order, one transaction each, on its own
// goroutine, so storing one page overlaps fetching the next.
type pageSaver struct {
	pages  chan *preparedPage
	failed chan struct{} // closed at the first failure, after err is set
	done   chan struct{}
	counts storage.SaveCounts
	err    error // the first failure
}

func (a *App) startSaver(ctx context.Context) *pageSaver {
	sv := &pageSaver{pages: make(chan *preparedPage), failed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(sv.done)
		for p := range sv.pages {
			if sv.err != nil {
				continue // drain: the sync has failed
			}
			c, err := a.store.SavePreparedPage(ctx, p.store)
			if err != nil {
				sv.err = err
				close(sv.failed)
				continue
			}
			p.set.earlier = nil // nothing reads them through this page any more
			p.set.saved.Store(true)
			sv.counts.New += c.New
			sv.counts.Updated += c.Updated
			sv.counts.Unchanged += c.Unchanged
		}
	}()
	return sv
}

// save hands a page over; it waits while the previous page is still being
// stored, so at most one page is in flight.
func (sv *pageSaver) save(page *preparedPage) error {
	select {
	case sv.pages <- page:
		return nil
	case <-sv.failed:
		return sv.err
	}
}

// finish waits for every page to be stored and reports the totals.
func (sv *pageSaver) finish() (storage.SaveCounts, error) {
	close(sv.pages)
	<-sv.done
	return sv.counts, sv.err
}

// referencesOf lists what Referral Desk reads alongside a resource.
func referencesOf(rs *resourceSet, r fhir.Resource) []string {
	var refs []fhir.Reference
	self := fhir.Reference{Reference: r.Ref()}
	switch r.Type {
	case "Task":
		if t, ok := narrowRef[taskRow](rs, self); ok {
			refs = append(refs, t.Focus, t.For, t.Requester)
		}
	case "ServiceRequest":
		if sr, ok := decodeRef[fhir.ServiceRequest](rs, self); ok {
			refs = append(refs, sr.Subject, sr.Requester)
			refs = append(refs, sr.SupportingInfo...)
			refs = append(refs, sr.ReasonReference...)
		}
	case "PractitionerRole":
		if pr, ok := decodeRef[fhir.PractitionerRole](rs, self); ok {
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

// resourceSet is what one sync page (or one referral view) knows: the
// resources the page brought, backed by what is stored, with each decoded
// view kept so a resource is parsed once however often it is read.
type resourceSet struct {
	ctx     context.Context
	store   *storage.DB
	source  int64
	byRef   map[string]fhir.Resource // from the platform now: to be stored
	stored  map[string]fhir.Resource // read from the store
	absent  map[string]bool          // not in the store
	fresh   []fhir.Resource          // added since the last reference round
	missing map[string]bool          // the platform does not have them
	views   map[viewKey]any          // decoded typed views (or why not)
	viewed  []reflect.Type           // the types in views
	tasks   []fhir.Resource          // a sync page's referral Tasks
	// earlier are the pages of the same sync resolved and not yet stored
	// when this one was made; their resources are only read, never changed.
	earlier []*resourceSet
	// inFlight, in a sync, knows which references are worth looking up
	// in the store, and what the sync's other pages read there; seen is
	// how many of its pages earlier and the store held.
	inFlight *pagesInFlight
	seen     int
	saved    atomic.Bool // a sync page is stored (set by the saver)
	// err is the first failure to read the store: what it could not read is
	// unknown, not absent, so rows computed from the set must not be kept.
	err error
}

func newResourceSet(ctx context.Context, store *storage.DB, source int64) *resourceSet {
	return &resourceSet{ctx: ctx, store: store, source: source, byRef: map[string]fhir.Resource{},
		stored: map[string]fhir.Resource{}, absent: map[string]bool{}, missing: map[string]bool{}, views: map[viewKey]any{}}
}

func (rs *resourceSet) add(r fhir.Resource) {
	ref := r.Ref()
	if _, ok := rs.byRef[ref]; ok {
		return
	}
	rs.byRef[ref] = r
	for _, view := range rs.viewed {
		delete(rs.views, viewKey{ref, view})
	}
	rs.fresh = append(rs.fresh, r)
}

// viewKey names a typed view of a resource (one map rather than a map per
// resource: a sync decodes ~40 000 views).
type viewKey struct {
	ref  string
	view reflect.Type
}

// unknown returns the refs that neither the page nor the store has, looking
// the store up with one query per resource type.
func (rs *resourceSet) unknown(refs []string) ([]string, error) {
	byType := map[string][]string{}
	for _, ref := range refs {
		if rs.fromEarlier(ref) {
			continue
		}
		_, inPage := rs.byRef[ref]
		_, inStore := rs.stored[ref]
		if inPage || inStore || rs.missing[ref] || rs.absent[ref] {
			continue
		}
		if f := rs.inFlight; f != nil {
			if !f.mayBeStored(ref) {
				rs.absent[ref] = true
				continue
			}
			if r, ok := f.readBefore(ref); ok {
				rs.stored[ref] = r
				continue
			}
		}
		if typ, id, ok := fhir.SplitReference(ref); ok {
			byType[typ] = append(byType[typ], id)
		}
	}
	for typ, ids := range byType {
		found, err := rs.store.Resources(rs.ctx, rs.source, typ, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if r, ok := found[id]; ok {
				if res, err := fhir.ParseResource(r.JSON); err == nil {
					rs.stored[typ+"/"+id] = res
					if rs.inFlight != nil {
						rs.inFlight.remember(rs.seen, typ+"/"+id, res)
					}
					continue
				}
			}
			rs.absent[typ+"/"+id] = true
		}
	}
	var out []string
	for _, ref := range refs {
		if rs.absent[ref] {
			out = append(out, ref)
		}
	}
	return out, nil
}

// fromEarlier copies ref from an earlier page not yet stored, the latest
// that brought it.
func (rs *resourceSet) fromEarlier(ref string) bool {
	for i := len(rs.earlier) - 1; i >= 0; i-- {
		if r, ok := rs.earlier[i].byRef[ref]; ok {
			rs.stored[ref] = r
			return true
		}
	}
	return false
}

// get finds a referenced resource in the page or the store.
func (rs *resourceSet) get(ref string) (fhir.Resource, bool) {
	if r, ok := rs.byRef[ref]; ok {
		return r, true
	}
	if rs.fromEarlier(ref) {
		return rs.stored[ref], true
	}
	if r, ok := rs.stored[ref]; ok {
		return r, true
	}
	if rs.absent[ref] || rs.missing[ref] {
		return fhir.Resource{}, false
	}
	typ, id, ok := fhir.SplitReference(ref)
	if !ok {
		return fhir.Resource{}, false
	}
	sr, err := rs.store.Resource(rs.ctx, rs.source, typ, id)
	if errors.Is(err, storage.ErrNotFound) {
		rs.absent[ref] = true
		return fhir.Resource{}, false
	}
	if err != nil {
		if rs.err == nil {
			rs.err = fmt.Errorf("reading %s from the store: %w", ref, err)
		}
		return fhir.Resource{}, false
	}
	r, err := fhir.ParseResource(sr.JSON)
	if err != nil {
		rs.absent[ref] = true
		return fhir.Resource{}, false
	}
	rs.stored[ref] = r
	return r, true
}

// decodeRef decodes the resource a reference points at, if it is known and
// readable; each resource is decoded once per set and view. A view reads
// whatever resource it is given: callers ask for the view of the
// reference's type.
func decodeRef[T any](rs *resourceSet, ref fhir.Reference) (T, bool) {
	return decodeRefWith(rs, ref, fhir.Decode[T])
}

// narrowRef is decodeRef for a view of a few members (fhir.DecodeNarrow).
func narrowRef[T any](rs *resourceSet, ref fhir.Reference) (T, bool) {
	return decodeRefWith(rs, ref, fhir.DecodeNarrow[T])
}

func decodeRefWith[T any](rs *resourceSet, ref fhir.Reference, decode func([]byte) (T, error)) (T, bool) {
	var zero T
	typ, id, ok := ref.TypeID()
	if !ok {
		return zero, false
	}
	key := viewKey{ref.Reference, reflect.TypeFor[T]()}
	if len(key.ref) != len(typ)+1+len(id) { // a base URL or a version: not the key
		key.ref = typ + "/" + id
	}
	if v, ok := rs.views[key]; ok {
		t, ok := v.(T)
		return t, ok
	}
	r, ok := rs.get(key.ref)
	if !ok {
		return zero, false
	}
	if !slices.Contains(rs.viewed, key.view) {
		rs.viewed = append(rs.viewed, key.view)
	}
	v, err := decode(r.Raw)
	if err != nil {
		rs.views[key] = err
		return zero, false
	}
	rs.views[key] = v
	return v, true
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
