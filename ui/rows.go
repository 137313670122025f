package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// rowView is one inbox row, three compact lines:
//
//	▌● URGENT  Maria Garcia                                        3 h ago
//	▌Food insecurity — Food pant…   Do not contact   Overdue   New
//	▌From Eastside Clinic · via Eastside Referral Network
//
// The person's name has the first line to itself (but the urgency): at
// 150 % the marks beside it left "Javier R…". The need gives way instead;
// the open referral shows it in full.
//
// Every row has the same height, which keeps widget.List's layout O(1)
// (desktop.md: variable heights make it O(n) over 100 000 rows).
type rowView struct {
	widget.BaseWidget
	stripe                          *canvas.Rectangle
	unread, badge, person, when     *widget.Label
	need, status, overdue, from, dn *widget.Label
	content                         fyne.CanvasObject
}

func newRowView() *rowView {
	trunc := func(l *widget.Label) *widget.Label { l.Truncation = fyne.TextTruncateEllipsis; return l }
	r := &rowView{
		stripe:  canvas.NewRectangle(color.Transparent),
		unread:  &widget.Label{Text: "●", Importance: widget.HighImportance},
		badge:   &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Importance: widget.DangerImportance},
		person:  trunc(&widget.Label{}),
		when:    &widget.Label{},
		need:    trunc(&widget.Label{}),
		status:  &widget.Label{},
		overdue: &widget.Label{Text: "Overdue", TextStyle: fyne.TextStyle{Bold: true}, Importance: widget.WarningImportance},
		from:    trunc(&widget.Label{TextStyle: fyne.TextStyle{Italic: true}}),
		dn:      &widget.Label{Text: "Do not contact", TextStyle: fyne.TextStyle{Bold: true}, Importance: widget.DangerImportance},
	}
	r.stripe.SetMinSize(fyne.NewSize(4, 0))
	line1 := container.NewBorder(nil, nil, container.NewHBox(r.unread, r.badge), r.when, r.person)
	line2 := container.NewBorder(nil, nil, nil, container.NewHBox(r.dn, r.overdue, r.status), r.need)
	r.content = container.NewBorder(nil, nil, r.stripe, nil, container.New(linesLayout{}, line1, line2, r.from))
	r.ExtendBaseWidget(r)
	return r
}

func (r *rowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

// show fills the row with a referral; ok false shows an empty row while its page loads.
func (r *rowView) show(ref app.Referral, ok bool, w *Window) {
	if !ok {
		ref = app.Referral{}
	}
	urgent := ok && app.Urgent(ref.Priority)
	if urgent {
		r.stripe.FillColor = urgentColor()
		r.badge.SetText(strings.ToUpper(app.PriorityLabel(ref.Priority)))
		r.badge.Show()
	} else {
		r.stripe.FillColor = color.Transparent
		r.badge.Hide()
	}
	r.stripe.Refresh()
	unread := ok && app.Unread(ref)
	setVisible(r.unread, unread)
	r.person.TextStyle.Bold = unread
	switch {
	case !ok:
		r.person.SetText("")
	case ref.Damaged: // its name, as saved here, could not be read
		r.person.SetText("(could not be read — sync again)")
	case ref.Person == "":
		r.person.SetText("(no name given)")
	default:
		r.person.SetText(ref.Person)
	}
	when := ""
	if t, parsed := app.ParseWhen(ref.AuthoredOn); parsed {
		when = app.Ago(t, w.now())
	}
	r.when.SetText(when)
	need := ref.Need
	if need == "" && ref.Category != "" {
		need = app.CategoryLabel(ref.Category)
	}
	r.need.SetText(need)
	status := ""
	if ok {
		status = app.StatusLabel(ref.Status)
		switch {
		case ref.Projected != "": // what the case worker did here, not yet on the platform
			status = app.StatusLabel(ref.Projected) + " · waiting to send"
		case ref.Pending:
			status = "Sending…"
		}
	}
	r.status.SetText(status)
	setVisible(r.overdue, ok && app.Overdue(ref, w.now(), w.o.OverdueDays))
	setVisible(r.dn, ok && ref.DoNotContact)
	from := ""
	if ok {
		from = joinNonEmpty(" · ", prefix("From ", ref.Requester), prefix("via ", w.names[ref.SourceID]))
	}
	r.from.SetText(from)
}

func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

func prefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// linesLayout stacks lines of labels closer than a VBox: each line overlaps
// the previous one's inner padding, so a three-line row stays compact and
// still reads as separate lines.
type linesLayout struct{}

func (linesLayout) overlap() float32 { return theme.InnerPadding() }

func (l linesLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height -= l.overlap()
		}
	}
	return s
}

func (l linesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - l.overlap()
	}
}
