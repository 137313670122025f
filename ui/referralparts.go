package ui

// The parts of an open referral below its lead: the need in full, the
// person, consent, requester, what came with it, outcomes and history.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
)

// person shows who the referral is for; contact details of a person who
// must not be contacted stay hidden until revealed on purpose.
func (v *referralView) person(d *app.Detail) fyne.CanvasObject {
	p := d.Person
	if !p.Known && p.Name == "" {
		return wrapLabel("The platform did not share this person's details.")
	}
	rows := []string{"Name", orDash(p.Name)}
	born := "Not given"
	if t, ok := app.ParseWhen(p.BirthDate); ok {
		born = t.Format("2 Jan 2006")
		if p.Age >= 0 {
			born += fmt.Sprintf(" (age %d)", p.Age)
		}
	}
	rows = append(rows, "Born", born, "Gender", orDash(titleCase(p.Gender)), "Language", orDash(p.Language))
	if d.DoNotContact && !v.revealed {
		rows = append(rows, "Contact", "Hidden: this person must not be contacted.")
	} else {
		rows = append(rows, "Phone", orDash(strings.Join(p.Phones, "\n")),
			"Email", orDash(strings.Join(p.Emails, "\n")),
			"Address", orDash(strings.Join(p.Addresses, "\n")))
	}
	if d.DoNotContact {
		return container.NewVBox(form(rows...), v.revealControls())
	}
	return form(rows...)
}

// damagedBanner says part of the referral could not be read here.
func damagedBanner() fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil,
		&widget.Label{Text: app.DamagedText, Importance: widget.WarningImportance, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
}

// sentWith lists what the requester attached (IG 3.0.0 content-rich
// referrals), for reading at intake; what could not be fetched is named.
// Each item's kind and date head it, its text takes the whole width below:
// beside a label column, long answers were a narrow strip at 150 %.
func sentWith(items []app.Content) fyne.CanvasObject {
	box := container.NewVBox()
	for _, c := range items {
		head := orDash(c.Kind)
		if c.Date != "" {
			head += " · " + dateText(c.Date)
		}
		what := c.Title
		switch {
		case c.Missing:
			what += "\nCould not be fetched from the platform."
		case c.Detail != "":
			what += "\n" + c.Detail
		}
		box.Add(&widget.Label{Text: head, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
		box.Add(wrapLabel(what))
	}
	return box
}

// outcomesSent lists what the organization reported doing.
func outcomesSent(items []app.SentOutcome) fyne.CanvasObject {
	if len(items) == 0 {
		return wrapLabel("No outcome was sent with this referral.")
	}
	var rows []string
	for _, o := range items {
		what := o.Text
		switch {
		case o.Date != "" && o.Kind == "Service delivered":
			what += "\nPerformed " + dateText(o.Date)
		case o.Date != "":
			what += "\n" + dateText(o.Date)
		}
		if o.Ref == "" {
			what += "\nSent as a code: the platform does not take service records."
		} else {
			what += "\nRecorded on the platform as " + o.Ref
		}
		rows = append(rows, o.Kind, what)
	}
	return form(rows...)
}

func consent(c app.ConsentInfo) fyne.CanvasObject {
	var icon fyne.Resource
	var say string
	imp := widget.MediumImportance
	switch c.State {
	case "active":
		icon, say, imp = theme.ConfirmIcon(), "Active: the person agreed to share their information with community organizations.", widget.SuccessImportance
	case "inactive":
		icon, say, imp = theme.WarningIcon(), "Not active: the consent on file is no longer in effect. Check with the requester before sharing anything about this person.", widget.WarningImportance
	default:
		icon, say = theme.InfoIcon(), "None on file: this referral carries no consent record. Many do not; ask the requester if your organization needs one."
	}
	line := container.NewBorder(nil, nil, widget.NewIcon(icon), nil,
		&widget.Label{Text: say, Wrapping: fyne.TextWrapWord, Importance: imp, TextStyle: fyne.TextStyle{Bold: c.State != "none"}})
	if c.State == "none" {
		return line
	}
	var rows []string
	if c.Policy != "" {
		rows = append(rows, "Covers", c.Policy)
	}
	if len(c.Organizations) > 0 {
		rows = append(rows, "Shared with", strings.Join(c.Organizations, "\n"))
	}
	if c.Period != "" {
		rows = append(rows, "In effect", c.Period)
	}
	if c.Date != "" {
		rows = append(rows, "Signed", dateText(c.Date))
	}
	if len(rows) == 0 {
		return line
	}
	return container.NewVBox(line, form(rows...))
}

func need(d *app.Detail) fyne.CanvasObject {
	n := d.Need
	rows := []string{"Category", orDash(n.Category), "Service", orDash(n.Service), "Priority", app.PriorityLabel(n.Priority)}
	if len(n.Reasons) > 0 {
		rows = append(rows, "Because of", strings.Join(n.Reasons, "\n"))
	}
	if n.Period != "" {
		rows = append(rows, "Requested for", n.Period)
	}
	notes := append(append([]string{}, n.Notes...), d.Notes...)
	if len(notes) > 0 {
		rows = append(rows, "Notes", strings.Join(notes, "\n\n"))
	}
	return form(rows...)
}

func requester(r app.Requester) fyne.CanvasObject {
	rows := []string{"Who", orDash(r.Name)}
	contacts := "The platform gives no contact details for the requester."
	if len(r.Contacts) > 0 {
		contacts = strings.Join(r.Contacts, "\n")
	}
	return form(append(rows, "Reach them", contacts)...)
}

// history lists what is known of the referral's life: sent, each change made
// here (with what the platform said), and where it stands now.
func (v *referralView) history(d *app.Detail) fyne.CanvasObject {
	var rows []string
	if t, ok := app.ParseWhen(d.AuthoredOn); ok {
		rows = append(rows, timeText(t, v.w.now()), "Sent by the requester")
	}
	for _, c := range d.Changes {
		what := app.ActionName(c.FromStatus, c.ToStatus) + ": " + changeState(c)
		if c.Reason != "" {
			what += "\nReason: " + c.Reason
		}
		if c.Detail != "" && c.State != app.ChangeSent {
			what += "\n" + c.Detail
		}
		rows = append(rows, timeText(c.CreatedAt, v.w.now()), what)
	}
	now := app.StatusLabel(d.Status)
	if d.StatusReason != "" {
		now += " (" + d.StatusReason + ")"
	}
	rows = append(rows, "Now", now)
	return form(rows...)
}

func changeState(c app.Change) string {
	switch c.State {
	case app.ChangeSent:
		return "confirmed by the platform"
	case app.ChangeConflict:
		return "not sent, someone changed the referral first"
	case app.ChangeRefused:
		return "refused by the platform"
	case app.ChangeDismissed:
		return "not sent, settled after a conflict"
	}
	return "waiting to be sent"
}

// technical shows the FHIR resources as the platform sent them, for support.
func technical(raw map[string]json.RawMessage) fyne.CanvasObject {
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	box := container.NewVBox(wrapLabel("The referral as the platform sent it (FHIR R4 JSON), for support."))
	for _, n := range names {
		var b bytes.Buffer
		if json.Indent(&b, raw[n], "", "  ") != nil {
			b.Reset()
			b.Write(raw[n])
		}
		box.Add(&widget.Label{Text: n, TextStyle: fyne.TextStyle{Bold: true}})
		box.Add(&widget.Label{Text: b.String(), TextStyle: fyne.TextStyle{Monospace: true}, Wrapping: fyne.TextWrapBreak, Selectable: true})
	}
	return widget.NewAccordion(widget.NewAccordionItem("Technical details", box))
}

// section is one part of the referral: a quiet title over its content.
func section(title string, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(),
		&widget.Label{Text: title, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText},
		content)
}

// form lays out key/value pairs; values wrap.
func form(kv ...string) fyne.CanvasObject {
	f := container.New(layout.NewFormLayout())
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(&widget.Label{Text: kv[i], TextStyle: fyne.TextStyle{Bold: true}})
		f.Add(&widget.Label{Text: kv[i+1], Wrapping: fyne.TextWrapWord, Selectable: true})
	}
	return f
}

func wrapLabel(s string) *widget.Label { return &widget.Label{Text: s, Wrapping: fyne.TextWrapWord} }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "Not given"
	}
	return s
}

func titleCase(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dateText shows a FHIR date or dateTime as "2 Nov 2026" (with the time when there is one).
func dateText(s string) string {
	t, ok := app.ParseWhen(s)
	if !ok {
		return s
	}
	if len(s) > 10 {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2 Jan 2006")
}

// timeText is a moment in the history, in the case worker's time zone.
func timeText(t, now time.Time) string {
	if t.IsZero() {
		return "Unknown"
	}
	return t.In(now.Location()).Format("2 Jan 2006 15:04")
}
