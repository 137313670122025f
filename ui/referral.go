package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// referralView is the right-hand pane. Before a referral is opened it shows
// the day's summary; an open referral reads in one glance: its lead (who,
// what is needed, how urgent, whether they may be contacted) and the
// actions stay in view, and the rest (the need in full, the person,
// consent, requester, what came with it, its history) scrolls below.
type referralView struct {
	w       *Window
	root    *fyne.Container // the summary, or the referral
	summary *summaryPane
	reading *fyne.Container // the referral: lead and actions above, the rest below
	lead    *fyne.Container
	acts    *fyne.Container // the actions area
	box     *fyne.Container // the rest
	scroll  *container.Scroll

	gen      int
	source   int64
	task     string
	d        *app.Detail
	err      error
	revealed bool   // contact details of a do-not-contact person shown on purpose
	asking   bool   // the reveal is waiting for its confirmation
	act      acting // the actions area
	// completing is the completion dialog while it is open.
	completing *completeDialog
	// flow lays out the action row, when there is one.
	flow *flowLayout
}

func newReferralView(w *Window) *referralView {
	v := &referralView{w: w, lead: container.NewVBox(), acts: container.NewVBox(), box: container.NewVBox(), summary: newSummaryPane(w)}
	// Both directions: a wide control (a long reason at 150 %) scrolls
	// sideways instead of forcing the whole window wider than the screen.
	v.scroll = container.NewScroll(container.NewPadded(v.box))
	v.reading = container.New(readingLayout{v.lead, v.acts, v.fitActions},
		container.NewScroll(container.NewPadded(v.lead)), container.NewScroll(container.NewPadded(v.acts)),
		widget.NewSeparator(), v.scroll)
	v.root = container.NewStack(v.summary.object())
	return v
}

func (v *referralView) object() fyne.CanvasObject { return v.root }

// fitActions tells the action row the width it will get, so that it wraps
// before a button is cut off.
func (v *referralView) fitActions(width float32) {
	if v.flow != nil {
		v.flow.fit(width)
	}
}

// showPlaceholder shows the day's summary in place of a referral.
func (v *referralView) showPlaceholder() {
	v.lead.Objects, v.acts.Objects, v.box.Objects = nil, nil, nil
	v.root.Objects = []fyne.CanvasObject{v.summary.object()}
	v.root.Refresh()
	v.summary.reload()
}

// open loads a referral and marks it seen.
func (v *referralView) open(source int64, task string) {
	if v.source != source || v.task != task {
		v.source, v.task = source, task
		v.d, v.err = nil, nil
		v.revealed, v.asking = false, false
		v.act = acting{}
		v.scroll.ScrollToTop()
	}
	v.reload()
}

// reload reads the open referral again (after a change or a sync), or the
// summary when none is open.
func (v *referralView) reload() {
	if v.task == "" {
		v.summary.reload()
		return
	}
	v.gen++
	gen, source, task := v.gen, v.source, v.task
	v.w.background(func(ctx context.Context) func() {
		d, err := v.w.a.Referral(ctx, source, task)
		if err == nil {
			_ = v.w.a.MarkSeen(ctx, source, task) // losing a "seen" mark costs nothing worth an error
		}
		return func() {
			if gen != v.gen {
				return
			}
			v.d, v.err = d, err
			v.render()
		}
	})
}

// render rebuilds the view from v.d; it is cheap next to reading the referral.
func (v *referralView) render() {
	if v.err != nil {
		v.show([]fyne.CanvasObject{wrapLabel(v.w.a.Explain(v.err))}, nil, nil)
		return
	}
	d := v.d
	if d == nil {
		return
	}
	lead := []fyne.CanvasObject{v.header(d)}
	if d.Damaged {
		lead = append(lead, damagedBanner())
	}
	if d.DoNotContact {
		lead = append(lead, dncBanner())
	}
	rest := []fyne.CanvasObject{
		section("Need", need(d)),
		section("Person", v.person(d)),
		section("Consent", consent(d.Consent)),
		section("Requester", requester(d.Requester)),
	}
	if len(d.SentWith) > 0 {
		rest = append(rest, section("Sent with the referral", sentWith(d.SentWith)))
	}
	if len(d.OutcomesSent) > 0 || d.Status == statusCompleted {
		rest = append(rest, section("Outcomes sent", outcomesSent(d.OutcomesSent)))
	}
	rest = append(rest, section("Status history", v.history(d)))
	// The raw data may carry contact details (a contained Patient, a note):
	// for a person who must not be contacted it waits for the same reveal.
	if !d.DoNotContact || v.revealed {
		rest = append(rest, technical(d.Raw))
	}
	v.show(lead, []fyne.CanvasObject{v.actions()}, rest)
}

// show puts a referral's lead, its actions and the rest in the pane.
func (v *referralView) show(lead, acts, rest []fyne.CanvasObject) {
	v.lead.Objects, v.acts.Objects, v.box.Objects = lead, acts, rest
	if len(v.root.Objects) != 1 || v.root.Objects[0] != v.reading {
		v.root.Objects = []fyne.CanvasObject{v.reading}
		v.root.Refresh()
	}
	v.lead.Refresh()
	v.acts.Refresh()
	v.box.Refresh()
	v.reading.Refresh() // the band heights follow the new lead and actions
}

// header is the referral's lead: who, what is needed (category, service,
// the requester's note), and how pressing it is.
func (v *referralView) header(d *app.Detail) fyne.CanvasObject {
	name := d.Person.Name
	if name == "" {
		name = "(no name given)"
	}
	title := &widget.Label{Text: name, SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	status := app.StatusLabel(d.Status)
	if d.StatusReason != "" {
		status += " (" + d.StatusReason + ")"
	}
	sent := ""
	if t, ok := app.ParseWhen(d.AuthoredOn); ok {
		sent = "sent " + app.Ago(t, v.w.now())
	}
	sub := wrapLabel(joinNonEmpty(" · ", status, app.PriorityLabel(d.Need.Priority), prefix("via ", d.Source.Name), sent))
	objs := []fyne.CanvasObject{title, sub,
		&widget.Label{Text: joinNonEmpty(" — ", d.Need.Category, d.Need.Service), TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}}
	if note := firstNote(d); note != "" {
		objs = append(objs, &widget.Label{Text: "“" + note + "”", TextStyle: fyne.TextStyle{Italic: true}, Wrapping: fyne.TextWrapWord})
	}
	if app.Urgent(d.Need.Priority) && !app.Closed(d.Status) {
		objs = append(objs, boldLine(strings.ToUpper(app.PriorityLabel(d.Need.Priority))+": the requester asks for a quick answer.", widget.DangerImportance))
	}
	if days := v.w.o.OverdueDays; app.Overdue(d.Referral, v.w.now(), days) {
		objs = append(objs, boldLine("Overdue: waiting more than "+app.Plural(days, "business day", "business days")+" for an answer.", widget.WarningImportance))
	}
	return container.NewVBox(objs...)
}

func boldLine(s string, imp widget.Importance) *widget.Label {
	return &widget.Label{Text: s, Importance: imp, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
}

// leadNoteLength is as much of the requester's note as the lead shows; the
// Need section below has it in full.
const leadNoteLength = 200

// firstNote is the requester's first note, cut to leadNoteLength.
func firstNote(d *app.Detail) string {
	notes := append(append([]string{}, d.Need.Notes...), d.Notes...)
	if len(notes) == 0 {
		return ""
	}
	n := strings.Join(strings.Fields(notes[0]), " ")
	if r := []rune(n); len(r) > leadNoteLength {
		n = strings.TrimSpace(string(r[:leadNoteLength])) + "…"
	}
	return n
}

// readingLayout stacks an open referral: its lead (objects[0], a scroll of
// lead), its actions (objects[1], a scroll of acts), a separator, and the
// rest (objects[3]). The actions take the height they need, up to half the
// pane (a reason form at 150 %); the lead takes its own, up to what leaves
// the rest 40 % of the pane, and never less than a quarter of it; each
// scrolls beyond that. So the actions stay in view at any scale while the
// rest scrolls; their buttons wrap rather than scroll sideways.
type readingLayout struct {
	lead, acts *fyne.Container
	fit        func(width float32) // tells the actions their width before their height is asked
}

func (l readingLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, objs[2].MinSize().Height+4*theme.Padding())
}

func (l readingLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := 2 * theme.Padding() // around each scroll's content
	h := size.Height
	l.fit(size.Width - pad)
	acts := min(l.acts.MinSize().Height+pad, h/2)
	lead := min(l.lead.MinSize().Height+pad, max(h*0.6-acts, h/4))
	sep := objs[2].MinSize().Height
	y := float32(0)
	for i, height := range []float32{lead, acts, sep, max(0, h-lead-acts-sep)} {
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(size.Width, height))
		y += height
	}
}
