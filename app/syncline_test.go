package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// testLine is a pageLine whose pages are named by their first Task's id:
// preparing a page in release waits until it is closed, preparing one in
// fail fails, and each page stored names itself in the skipped entries, so
// that they tell the order pages were stored in.
type testLine struct {
	*pageLine
	release map[string]chan struct{}
	fail    map[string]error
}

func newTestLine(t *testing.T, holdBack ...string) *testLine {
	t.Helper()
	ctx, cancel := context.WithCancelCause(t.Context())
	tl := &testLine{release: map[string]chan struct{}{}, fail: map[string]error{}}
	for _, id := range holdBack {
		tl.release[id] = make(chan struct{})
	}
	tl.pageLine = &pageLine{ctx: ctx, cancel: cancel, unstored: &unstoredPages{},
		queue: make(chan chan prepared, pagesAtOnce-1), done: make(chan struct{})}
	tl.prepare = func(ctx context.Context, p fhir.Page) (*syncPage, error) {
		id := p.Matches[0].ID
		if ch, ok := tl.release[id]; ok {
			select {
			case <-ch:
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
		if err := tl.fail[id]; err != nil {
			return nil, err
		}
		return &syncPage{refs: &resources{}, skipped: []string{id}, ready: &storage.SyncPage{}}, nil
	}
	tl.store = func(context.Context, *storage.SyncPage) (storage.SaveCounts, error) {
		return storage.SaveCounts{New: 1}, nil
	}
	go tl.write()
	return tl
}

func pageOf(id string) fhir.Page {
	return fhir.Page{Matches: []fhir.Resource{{Type: "Task", ID: id}}}
}

// Pages reach the writer in the order the search read them, however their
// preparing ends.
func TestPageLineStoresPagesInTheirOrder(t *testing.T) {
	l := newTestLine(t, "p0")
	for i := range pagesAtOnce {
		if err := l.add(pageOf(fmt.Sprintf("p%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	close(l.release["p0"]) // the first page is prepared last
	counts, order, err := l.finish(nil)
	want := []string{"p0", "p1", "p2"}
	if err != nil || counts.New != 3 || !reflect.DeepEqual(order, want) {
		t.Fatalf("stored %d pages in the order %v, %v; want %v", counts.New, order, err, want)
	}
}

// A page that cannot be prepared ends the line with its error, after the
// pages before it are stored and before any after it is.
func TestPageLineStopsAtThePageThatFails(t *testing.T) {
	l := newTestLine(t)
	broken := errors.New("page p1 cannot be prepared")
	l.fail["p1"] = broken
	var addErr error
	for i := 0; i < 10 && addErr == nil; i++ {
		addErr = l.add(pageOf(fmt.Sprintf("p%d", i)))
	}
	counts, order, err := l.finish(addErr)
	if !errors.Is(err, broken) || !reflect.DeepEqual(order, []string{"p0"}) || counts.New != 1 {
		t.Fatalf("stored %v (%d), %v; want p0 stored, then the failure of p1", order, counts.New, err)
	}
}

// When the search fails, the pages it read before are still stored, and the
// search's error is the sync's.
func TestPageLineKeepsThePagesReadBeforeTheSearchFailed(t *testing.T) {
	l := newTestLine(t, "p1")
	for _, id := range []string{"p0", "p1"} {
		if err := l.add(pageOf(id)); err != nil {
			t.Fatal(err)
		}
	}
	close(l.release["p1"])
	offline := errors.New("the platform went away")
	_, order, err := l.finish(offline)
	if !errors.Is(err, offline) || !reflect.DeepEqual(order, []string{"p0", "p1"}) {
		t.Fatalf("stored %v, %v; want p0 and p1 stored and the search's failure", order, err)
	}
}
