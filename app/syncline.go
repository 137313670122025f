package app

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// pagesAtOnce is how many pages of a sync are prepared at the same time:
// while one page waits on the platform for its batches, the next ones'
// requests go out too, and the platform is seldom idle.
const pagesAtOnce = 3

// RequestsInFlight is the most requests a sync has open at once: pagesAtOnce
// pages each reading fhir.DefaultBatchesInFlight batches, and the search's
// next page. The transport keeps an idle connection for each.
const RequestsInFlight = pagesAtOnce*fhir.DefaultBatchesInFlight + 1

// pageLine carries a sync's pages from the search to the store. The search
// hands it each page as it is read (add); the line prepares up to
// pagesAtOnce pages at once, each on a goroutine of its own (preparePage),
// and one writer stores them one after another, in the order they came. So
// the platform answers for the next pages while this computer stores the
// one before.
type pageLine struct {
	ctx      context.Context
	source   int64
	progress func(SyncProgress) // nil = nobody watches
	total    atomic.Int64       // the matches the platform counted; -1 = not said
	stored   int                // the writer's: referral Tasks stored so far
	cancel   context.CancelCauseFunc
	prepare  func(context.Context, fhir.Page) (*syncPage, error)
	store    func(context.Context, *storage.SyncPage) (storage.SaveCounts, error)
	queue    chan chan prepared // the pages being prepared, in order
	unstored *unstoredPages
	done     chan struct{} // closed when the writer has stored (or dropped) every page

	// The writer's, read after done.
	counts  storage.SaveCounts
	skipped []string
	err     error // the first failure
}

// prepared is what preparing a page gave.
type prepared struct {
	page *syncPage
	err  error
}

func (a *App) startLine(ctx context.Context, s *session) *pageLine {
	ctx, cancel := context.WithCancelCause(ctx)
	l := &pageLine{ctx: ctx, cancel: cancel, store: a.store.SavePreparedPage, unstored: &unstoredPages{},
		queue: make(chan chan prepared, pagesAtOnce-1), done: make(chan struct{}), source: s.src.ID}
	if f := a.progress.Load(); f != nil {
		l.progress = *f
	}
	l.total.Store(-1)
	l.prepare = func(ctx context.Context, p fhir.Page) (*syncPage, error) { return a.preparePage(ctx, s, p, l.unstored) }
	go l.write()
	return l
}

// add starts preparing a page the search read; it waits while pagesAtOnce
// pages are being prepared, and fails once the line has failed.
func (l *pageLine) add(p fhir.Page) error {
	if p.Total >= 0 { // the first page says it, if any does
		l.total.Store(int64(p.Total))
	}
	answer := make(chan prepared, 1)
	select {
	case l.queue <- answer:
	case <-l.ctx.Done():
		return context.Cause(l.ctx)
	}
	go func() {
		page, err := l.prepare(l.ctx, p)
		if err == nil {
			l.unstored.add(page.refs)
		}
		answer <- prepared{page, err}
	}()
	return nil
}

// write stores the prepared pages in order, until the first failure; the
// pages after it are dropped.
func (l *pageLine) write() {
	defer close(l.done)
	for answer := range l.queue {
		p := <-answer
		if l.err != nil {
			continue
		}
		if p.err == nil {
			p.err = l.save(p.page)
		}
		if p.err != nil {
			l.err = p.err
			l.cancel(p.err)
		}
	}
}

func (l *pageLine) save(page *syncPage) error {
	c, err := l.store(l.ctx, page.ready)
	l.unstored.remove(page.refs)
	if err != nil {
		return err
	}
	l.counts.New += c.New
	l.counts.Updated += c.Updated
	l.counts.Unchanged += c.Unchanged
	l.skipped = append(l.skipped, page.skipped...)
	l.stored += len(page.tasks)
	if l.progress != nil {
		l.progress(SyncProgress{Source: l.source, Stored: l.stored, Total: int(l.total.Load())})
	}
	return nil
}

// SyncProgress is how far a sync has come: the referrals it has stored,
// out of the total the platform counted (-1 when it did not say).
type SyncProgress struct {
	Source        int64
	Stored, Total int
}

// WatchSync has f told, after each page any sync stores, how far that sync
// has come. f runs on the sync's goroutine and must not block.
func (a *App) WatchSync(f func(SyncProgress)) { a.progress.Store(&f) }

// finish waits for every page added to be stored: a page read before the
// search failed (searchErr) is kept, as each page is committed on its own.
// It reports the totals of the pages stored, and the first failure: the
// line's when it failed first (the search then stopped because of it), else
// the search's.
func (l *pageLine) finish(searchErr error) (storage.SaveCounts, []string, error) {
	lineFirst := l.ctx.Err() != nil
	close(l.queue)
	<-l.done
	l.cancel(nil)
	err := l.err
	if searchErr != nil && !(lineFirst && err != nil) {
		err = searchErr
	}
	return l.counts, l.skipped, err
}

// unstoredPages are a sync's pages prepared and not yet stored: a page being
// prepared finds there what another one brought, as it would in the store
// once that one is stored.
type unstoredPages struct {
	mu    sync.Mutex
	pages []*resources
}

func (u *unstoredPages) add(page *resources) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.pages = append(u.pages, page)
}

// remove drops a page once it is stored (or will never be).
func (u *unstoredPages) remove(page *resources) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.pages = slices.DeleteFunc(u.pages, func(p *resources) bool { return p == page })
}

// find returns ref as the page prepared last that brought it brought it.
// Nothing changes a page's brought resources once it is prepared.
func (u *unstoredPages) find(ref string) (fhir.Resource, bool) {
	if u == nil {
		return fhir.Resource{}, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, p := range slices.Backward(u.pages) {
		if r, ok := p.brought[ref]; ok {
			return r, true
		}
	}
	return fhir.Resource{}, false
}
