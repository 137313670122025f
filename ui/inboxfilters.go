package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	{app.SortOldest, "Oldest first"},
	{app.SortPriority, "Most urgent first"},
	{app.SortStatus, "By status"},
}

// pane is the filter row above the list.
func (in *inbox) pane() fyne.CanvasObject {
	filters := container.NewGridWithColumns(3, in.platformSel, in.categorySel, in.sortSel)
	return container.NewBorder(container.NewVBox(filters, in.capacityBar), nil, nil, nil,
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
	in.showCapacityBar()
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

// makeFilters makes the platform, need and sort choices above the list.
func (in *inbox) makeFilters() {
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
		cats = append(cats, app.CategoryLabel(c.Code)) // as the rows name it
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
}

// makeViews makes the view rows (New, Active, Closed, All) with their counts.
func (in *inbox) makeViews() {
	in.viewsBox = container.NewVBox()
	for _, v := range views {
		key := v.key
		vr := newViewRow(v.label, func() { in.setView(key) })
		in.viewRows[key] = vr
		in.viewsBox.Add(vr.object)
	}
	in.markView()
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
