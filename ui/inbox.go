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

// The inbox views, as the case worker thinks of them.
const (
	viewNew    = "new"
	viewActive = "active"
	viewClosed = "closed"
	viewAll    = "all"
)

var views = []struct {
	key, label string
	statuses   []string
	empty      string
}{
	{viewNew, "New", app.ViewNew, "No new referrals. New ones appear here after each sync."},
	{viewActive, "Active", app.ViewActive, "Nothing in progress. Referrals you accept appear here."},
	{viewClosed, "Closed", app.ViewClosed, "No closed referrals yet."},
	{viewAll, "All", nil, "No referrals yet. They appear here after the first sync."},
}

var sorts = []struct {
	key   app.SortOrder
	label string
}{
	{app.SortReceived, "Newest first"},
	{app.SortPriority, "Most urgent first"},
	{app.SortStatus, "By status"},
}

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
}

func newInbox(w *Window) *inbox {
	in := &inbox{w: w, view: w.prefs.view(), sort: app.SortOrder(w.prefs.sort()), pages: map[int][]app.Referral{},
		loading: map[int]bool{}, counts: map[string]int{}, viewRows: map[string]*viewRow{}}
	if viewIndex(in.view) < 0 {
		in.view = viewNew
	}
	in.qctx, in.qcancel = context.WithCancel(w.ctx)

	in.list = &referralList{}
	in.list.Length = func() int { return in.count }
	in.list.CreateItem = func() fyne.CanvasObject { return newRowView() }
	in.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		r, ok := in.row(id)
		o.(*rowView).show(r, ok, in.w)
	}
	in.list.OnHighlighted = func(id widget.ListItemID) { in.list.highlighted = id }
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

	in.empty = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	in.emptyBox = container.NewVBox(layout.NewSpacer(), in.empty, layout.NewSpacer())

	in.search = newSearchEntry()
	in.search.SetPlaceHolder("Search people, needs and requesters (Ctrl+F)")
	in.search.OnChanged = func(s string) {
		in.query = s
		in.reloadList() // the view counts do not depend on the search
	}
	in.search.onShortcut = w.typedShortcut
	in.search.onDown = func() { w.win.Canvas().Focus(in.list) }

	in.platformSel = widget.NewSelect([]string{"All platforms"}, func(string) {
		if in.settingUp {
			return
		}
		i := in.platformSel.SelectedIndex()
		in.sourceID = 0
		if i > 0 && i <= len(in.platformIDs) {
			in.sourceID = in.platformIDs[i-1]
		}
		in.reload()
	})
	in.setChoice(in.platformSel, 0)

	cats := []string{"All needs"}
	for _, c := range app.Categories {
		cats = append(cats, c.Label)
	}
	in.categorySel = widget.NewSelect(cats, func(string) {
		if in.settingUp {
			return
		}
		i := in.categorySel.SelectedIndex()
		in.category = ""
		if i > 0 {
			in.category = app.Categories[i-1].Code
		}
		in.reload()
	})
	in.setChoice(in.categorySel, 0)

	var sortLabels []string
	sel := 0
	for i, s := range sorts {
		sortLabels = append(sortLabels, s.label)
		if s.key == in.sort {
			sel = i
		}
	}
	in.sortSel = widget.NewSelect(sortLabels, func(string) {
		if in.settingUp {
			return
		}
		in.sort = sorts[in.sortSel.SelectedIndex()].key
		in.w.prefs.setSort(string(in.sort))
		in.reload()
	})
	in.setChoice(in.sortSel, sel)

	in.viewsBox = container.NewVBox()
	for _, v := range views {
		key := v.key
		vr := newViewRow(v.label, func() { in.setView(key) })
		in.viewRows[key] = vr
		in.viewsBox.Add(vr.object)
	}
	in.markView()

	in.syncBtn = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), w.syncNow)
	in.connectBtn = widget.NewButtonWithIcon("Connect a platform", theme.ContentAddIcon(), func() { w.showConnect("") })
	return in
}

// toolbar is the search box and the window's two commands.
func (in *inbox) toolbar() fyne.CanvasObject {
	return container.NewPadded(container.NewBorder(nil, nil, nil,
		container.NewHBox(in.syncBtn, in.connectBtn), in.search))
}

// pane is the filter row above the list.
func (in *inbox) pane() fyne.CanvasObject {
	filters := container.NewGridWithColumns(3, in.platformSel, in.categorySel, in.sortSel)
	return container.NewBorder(filters, nil, nil, nil,
		container.NewStack(in.list, container.NewPadded(in.emptyBox)))
}

func viewIndex(key string) int {
	for i, v := range views {
		if v.key == key {
			return i
		}
	}
	return -1
}

func (in *inbox) setView(key string) {
	if in.view == key {
		return
	}
	in.view = key
	in.w.prefs.setView(key)
	in.markView()
	in.list.UnselectAll()
	in.list.ScrollToTop()
	in.reload()
}

func (in *inbox) markView() {
	for key, vr := range in.viewRows {
		vr.setSelected(key == in.view)
	}
}

// setSources fills the platform filter.
func (in *inbox) setSources(srcs []app.Source) {
	opts := []string{"All platforms"}
	in.platformIDs = in.platformIDs[:0]
	sel := 0
	for _, s := range srcs {
		opts = append(opts, s.Name)
		in.platformIDs = append(in.platformIDs, s.ID)
		if s.ID == in.sourceID {
			sel = len(opts) - 1
		}
	}
	in.platformSel.Options = opts
	in.setChoice(in.platformSel, sel)
	if sel == 0 && in.sourceID != 0 { // the chosen platform is gone: show all
		in.sourceID = 0
		in.reload()
	}
}

// setChoice sets a Select's choice in code, without the reload a person's choice makes.
func (in *inbox) setChoice(s *widget.Select, i int) {
	in.settingUp = true
	defer func() { in.settingUp = false }()
	s.SetSelectedIndex(i)
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

// reloadCounts counts each view under the platform and category filters
// (not the search, so a keystroke costs one count, not five).
func (in *inbox) reloadCounts() {
	in.countGen++
	gen := in.countGen
	base := app.InboxFilter{SourceID: in.sourceID, Category: in.category}
	qctx := in.w.ctx
	in.w.background(func(context.Context) func() {
		counts := map[string]int{}
		for _, v := range views {
			f := base
			f.Statuses = v.statuses
			n, err := in.w.a.CountInbox(qctx, f)
			if err != nil {
				return nil
			}
			counts[v.key] = n
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

// viewRow is one view in the sidebar: its name and count, tappable as a whole.
type viewRow struct {
	object fyne.CanvasObject
	btn    *widget.Button
	name   *widget.Label
	count  *widget.Label
	line   *fyne.Container // name and count: laid out again when the count's width changes
}

func newViewRow(name string, tapped func()) *viewRow {
	vr := &viewRow{btn: widget.NewButton("", tapped), name: widget.NewLabel(name),
		count: &widget.Label{Alignment: fyne.TextAlignTrailing}}
	vr.line = container.NewBorder(nil, nil, nil, vr.count, vr.name)
	vr.object = container.NewStack(vr.btn, vr.line)
	return vr
}

func (vr *viewRow) setSelected(on bool) {
	vr.name.TextStyle.Bold, vr.count.TextStyle.Bold = on, on
	vr.btn.Importance = widget.LowImportance
	if on {
		vr.btn.Importance = widget.MediumImportance
	}
	vr.btn.Refresh()
	vr.name.Refresh()
	vr.count.Refresh()
}

func (vr *viewRow) setCount(n int) {
	vr.count.SetText(fmt.Sprint(n))
	vr.line.Refresh()
}
