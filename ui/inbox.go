package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// pageSize is how many rows one query reads. The list asks for rows as they
// scroll into view; only pages near the visible ones are kept, so 100 000
// referrals never sit in memory (desktop.md: bindings of 100k items cost ~100 ms).
const pageSize = 100

// keepPages is how many pages either side of the newest one stay cached.
const keepPages = 5

// inbox is the one list of referrals from every platform, with its views,
// search, filters and sort.
type inbox struct {
	w *Window

	view     string
	sort     app.SortOrder
	sourceID int64
	category string
	query    string

	gen     int // filter generation: results for an older filter are dropped
	qctx    context.Context
	qcancel context.CancelFunc
	count   int
	loaded  bool
	pages   map[int][]app.Referral
	loading map[int]bool

	countGen int
	counts   map[string]int

	list        *referralList
	empty       *widget.Label
	search      *searchEntry
	platformSel *widget.Select
	categorySel *widget.Select
	sortSel     *widget.Select
	platformIDs []int64
	viewRows    map[string]*viewRow
	quiet       bool // selecting to follow the open referral, not to open one
	// settingUp is true while a Select's choice is set in code: Fyne calls its
	// OnChanged then too, and each call would reload the inbox.
	settingUp  bool
	emptyBox   *fyne.Container // centres the empty-view message over the list
	viewsBox   *fyne.Container
	syncBtn    *widget.Button
	connectBtn *widget.Button
	// capacityBar offers, in the New view, to decline all new referrals of a
	// platform with no capacity (capacity.go); declining is its confirmation.
	capacityBar *fyne.Container
	declining   *declineAll
}

func newInbox(w *Window) *inbox {
	in := &inbox{w: w, view: w.prefs.view(), sort: app.SortOrder(w.prefs.sort()), pages: map[int][]app.Referral{},
		loading: map[int]bool{}, counts: map[string]int{}, viewRows: map[string]*viewRow{}}
	if viewIndex(in.view) < 0 {
		in.view = viewNew
	}
	in.qctx, in.qcancel = context.WithCancel(w.ctx)
	in.makeList()
	in.capacityBar = container.NewVBox()
	in.empty = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	in.emptyBox = container.NewVBox(layout.NewSpacer(), in.empty, layout.NewSpacer())
	in.makeSearch()
	in.makeFilters()
	in.makeViews()
	in.syncBtn = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), w.syncNow)
	in.connectBtn = widget.NewButtonWithIcon("Connect a platform", theme.ContentAddIcon(), func() { w.showConnect("") })
	return in
}

// makeList makes the list, which reads its rows page by page as they show.
func (in *inbox) makeList() {
	in.list = &referralList{}
	in.list.Length = func() int { return in.count }
	in.list.CreateItem = func() fyne.CanvasObject { return newRowView() }
	in.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		r, ok := in.row(id)
		o.(*rowView).show(r, ok, in.w)
	}
	in.list.OnHighlighted = func(id widget.ListItemID) { in.list.highlighted = id }
	in.list.onKey = in.w.active
	in.list.OnSelected = func(id widget.ListItemID) {
		in.list.highlighted = id
		if in.quiet {
			return
		}
		if r, ok := in.row(id); ok {
			in.open(id, r)
		}
	}
	in.list.ExtendBaseWidget(in.list)
}

// makeSearch makes the search box, which searches as the case worker types.
func (in *inbox) makeSearch() {
	in.search = newSearchEntry()
	in.search.SetPlaceHolder("Search people, needs and requesters (Ctrl+F)")
	in.search.OnChanged = func(s string) {
		in.w.active()
		in.query = s
		in.reload() // the list and the view counts follow the search
	}
	in.search.onShortcut = in.w.typedShortcut
	in.search.onDown = func() { in.w.win.Canvas().Focus(in.list) }
}

// toolbar is the search box and the window's two commands.
func (in *inbox) toolbar() fyne.CanvasObject {
	return container.NewPadded(container.NewBorder(nil, nil, nil,
		container.NewHBox(in.syncBtn, in.connectBtn), in.search))
}

// filter is the current selection, without paging.
func (in *inbox) filter() app.InboxFilter {
	return app.InboxFilter{Statuses: views[viewIndex(in.view)].statuses, SourceID: in.sourceID,
		Category: in.category, Search: in.query, Sort: in.sort}
}

// reload queries the list and the view counts for the current filter.
func (in *inbox) reload() {
	in.reloadList()
	in.reloadCounts()
}

// reloadList queries the count and first page for the current filter.
// (Running the two at once measured slower on two cores.) Each keystroke of a search calls it: the previous query is
// cancelled and its results, if any arrive, are dropped.
func (in *inbox) reloadList() {
	in.gen++
	gen := in.gen
	in.qcancel()
	in.qctx, in.qcancel = context.WithCancel(in.w.ctx)
	qctx := in.qctx
	f := in.filter()
	in.w.background(func(context.Context) func() {
		n, err := in.w.a.CountInbox(qctx, f)
		var rows []app.Referral
		if err == nil && n > 0 {
			f.Limit = pageSize
			rows, err = in.w.a.Inbox(qctx, f)
		}
		return func() {
			if gen != in.gen {
				return
			}
			in.loaded = true
			if err != nil {
				in.count = 0
				in.empty.SetText(in.w.a.Explain(err))
				in.empty.Show()
				in.list.Refresh()
				return
			}
			in.count = n
			in.pages = map[int][]app.Referral{0: rows}
			in.loading = map[int]bool{}
			in.list.Refresh()
			in.followOpen()
			in.showEmpty()
		}
	})
}

func (in *inbox) showEmpty() {
	defer in.emptyBox.Refresh() // lay the box out again: the message's size changed
	if in.count > 0 || !in.loaded {
		in.empty.Hide()
		return
	}
	switch {
	case in.query != "":
		in.empty.SetText(fmt.Sprintf("No referrals match “%s”.", in.query))
	case in.sourceID != 0 || in.category != "":
		in.empty.SetText("No referrals match these filters.")
	default:
		in.empty.SetText(views[viewIndex(in.view)].empty)
	}
	in.empty.Show()
}

// followOpen keeps the list's selection on the open referral after the
// rows changed under it (a sync, a status change) or after it was opened
// from code, or clears it, so the highlighted row never claims to be a
// referral that is not the one shown.
func (in *inbox) followOpen() {
	if id, _, ok := in.loadedRow(in.w.detail.source, in.w.detail.task); ok {
		in.quiet = true
		in.list.Select(id) // scrolls the row into view
		in.quiet = false
		return
	}
	in.list.UnselectAll()
}

// loadedRow finds a referral among the rows loaded for the current view.
func (in *inbox) loadedRow(source int64, task string) (widget.ListItemID, app.Referral, bool) {
	for p, rows := range in.pages {
		for k, r := range rows {
			if r.SourceID == source && r.TaskID == task {
				return p*pageSize + k, r, true
			}
		}
	}
	return 0, app.Referral{}, false
}

// show opens a referral from code as a click on its row would: when the
// current view has its row loaded, the row is marked read, selected and
// scrolled to; otherwise the referral opens and no row stays highlighted.
func (in *inbox) show(source int64, task string) {
	if id, r, ok := in.loadedRow(source, task); ok {
		in.open(id, r)
	} else {
		in.w.detail.open(source, task)
	}
	in.followOpen()
}

// reloadCounts counts each view under the search and the platform and need
// filters, as the list shows them: one pass of the store for all four.
func (in *inbox) reloadCounts() {
	in.countGen++
	gen := in.countGen
	f := in.filter()
	qctx := in.w.ctx
	in.w.background(func(context.Context) func() {
		statuses := make([][]string, len(views))
		for i, v := range views {
			statuses[i] = v.statuses
		}
		n, err := in.w.a.CountViews(qctx, f, statuses...)
		if err != nil {
			return nil
		}
		counts := map[string]int{}
		for i, v := range views {
			counts[v.key] = n[i]
		}
		return func() {
			if gen != in.countGen {
				return
			}
			in.counts = counts
			for key, vr := range in.viewRows {
				vr.setCount(counts[key])
			}
		}
	})
}

// row returns list row i if its page is loaded, asking for the page if not.
func (in *inbox) row(i int) (app.Referral, bool) {
	p := i / pageSize
	rows, ok := in.pages[p]
	if !ok {
		in.fetch(p)
		return app.Referral{}, false
	}
	if k := i % pageSize; k < len(rows) {
		return rows[k], true
	}
	return app.Referral{}, false
}

// fetch reads page p in the background and shows it when it arrives.
func (in *inbox) fetch(p int) {
	if in.loading[p] {
		return
	}
	in.loading[p] = true
	gen, qctx := in.gen, in.qctx
	f := in.filter()
	f.Limit, f.Offset = pageSize, p*pageSize
	in.w.background(func(context.Context) func() {
		rows, err := in.w.a.Inbox(qctx, f)
		return func() {
			if gen != in.gen {
				return
			}
			delete(in.loading, p)
			if err != nil {
				return
			}
			in.pages[p] = rows
			for k := range in.pages {
				if k < p-keepPages || k > p+keepPages {
					delete(in.pages, k)
				}
			}
			in.list.Refresh()
		}
	})
}

// open shows a referral and marks its row read.
func (in *inbox) open(id widget.ListItemID, r app.Referral) {
	if r.SeenAt.IsZero() {
		if rows, ok := in.pages[id/pageSize]; ok && id%pageSize < len(rows) {
			rows[id%pageSize].SeenAt = in.w.now()
		}
		in.list.RefreshItem(id)
	}
	in.w.detail.open(r.SourceID, r.TaskID)
}
