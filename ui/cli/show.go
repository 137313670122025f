package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

func runShow(ctx context.Context, c *cmdline, args []string) error {
	if err := needArgs(args, 1, commands["show"].usage); err != nil {
		return err
	}
	ref, err := c.app.FindReferral(ctx, args[0])
	if err != nil {
		return err
	}
	d, err := c.app.Referral(ctx, ref.SourceID, ref.TaskID)
	if err != nil {
		return err
	}
	fmt.Fprint(c.env.Stdout, formatDetail(d))
	return c.app.MarkSeen(ctx, ref.SourceID, ref.TaskID)
}

// formatDetail lays a referral out as a case worker reads it: safety first,
// then the person, the need, who asked, consent and what has happened.
func formatDetail(d *app.Detail) string {
	var b sheet
	fmt.Fprintf(&b, "Referral %s from %s\n", d.TaskID, d.Source.Name)
	if d.DoNotContact {
		b.WriteString("\n  !!! DO NOT CONTACT THIS PERSON. The requester says contacting them is prohibited (for example for their safety).\n  !!! Work through the requester only.\n")
	}
	fmt.Fprintf(&b, "\nStatus: %s", app.StatusLabel(d.Status))
	if d.StatusReason != "" {
		fmt.Fprintf(&b, " (%s)", d.StatusReason)
	}
	switch {
	case d.Pending && d.Projected != "" && d.Projected != d.Status:
		fmt.Fprintf(&b, " → will be %s when sent", strings.ToLower(app.StatusLabel(d.Projected)))
	case d.Pending:
		b.WriteString(" (a change is waiting to be sent)")
	}
	fmt.Fprintf(&b, "\nPriority: %s\nReceived: %s\n", d.Priority, localTime(d.AuthoredOn))
	b.person(d.Person, d.DoNotContact)
	b.need(d)
	b.sentWith(d.SentWith)
	b.WriteString("\nRequested by\n")
	b.line("Who", d.Requester.Name)
	b.line("Reach them", strings.Join(d.Requester.Contacts, "; "))
	b.consent(d.Consent)
	b.outcomes(outcomesOf(d.Raw["Task"]))
	b.changes(d.Changes)
	if len(d.Next) > 0 {
		var acts []string
		for _, s := range d.Next {
			acts = append(acts, fmt.Sprintf("%s (%s)", app.ActionName(d.Status, s), s))
		}
		fmt.Fprintf(&b, "\nYou can: %s\n", strings.Join(acts, ", "))
	}
	return b.String()
}

// sheet is a referral being written out, one labelled line at a time.
type sheet struct{ strings.Builder }

// line writes "  Label:        value", or nothing when there is no value.
func (b *sheet) line(label, value string) {
	if value != "" {
		fmt.Fprintf(b, "  %-13s %s\n", label+":", value)
	}
}

func (b *sheet) person(p app.Person, doNotContact bool) {
	b.WriteString("\nPerson\n")
	b.line("Name", p.Name)
	if p.BirthDate != "" {
		born := p.BirthDate
		if p.Age >= 0 {
			born = fmt.Sprintf("%s (age %d)", born, p.Age)
		}
		b.line("Born", born)
	}
	b.line("Gender", p.Gender)
	b.line("Language", p.Language)
	if doNotContact {
		b.line("Contact", "hidden: do not contact")
	} else {
		b.line("Phone", strings.Join(p.Phones, "; "))
		b.line("Email", strings.Join(p.Emails, "; "))
		b.line("Address", strings.Join(p.Addresses, "; "))
	}
	if !p.Known {
		b.WriteString("  (the person's record was not available from the platform)\n")
	}
}

func (b *sheet) need(d *app.Detail) {
	b.WriteString("\nNeed\n")
	b.line("Category", d.Need.Category)
	b.line("Service", d.Need.Service)
	b.line("Because of", strings.Join(d.Need.Reasons, "; "))
	b.line("When", d.Need.Period)
	for _, n := range append(append([]string{}, d.Need.Notes...), d.Notes...) {
		b.line("Note", n)
	}
}

func (b *sheet) consent(c app.ConsentInfo) {
	b.WriteString("\nConsent\n")
	switch c.State {
	case "active":
		b.line("State", "active: the person agreed to share this information")
	case "inactive":
		b.line("State", "NOT active: check with the requester before acting")
	default:
		b.line("State", "no consent on file")
	}
	b.line("Signed", c.Date)
	b.line("Covers", c.Period)
	b.line("Shared with", strings.Join(c.Organizations, "; "))
}

// sentWith lists what the requester attached (labs, screening answers,
// goals, documents); what could not be fetched is named as missing.
func (b *sheet) sentWith(content []app.Content) {
	if len(content) == 0 {
		return
	}
	b.WriteString("\nSent with the referral\n")
	for _, c := range content {
		b.WriteString("  ")
		if c.Kind != "" && !strings.HasPrefix(c.Title, c.Kind+":") { // "Goal: Housing security" names its kind
			b.WriteString(c.Kind + ": ")
		}
		b.WriteString(oneLine(c.Title))
		if c.Missing {
			b.WriteString(" (missing: it could not be fetched from the platform or read)\n")
			continue
		}
		if c.Detail != "" {
			b.WriteString(" — " + oneLine(c.Detail))
		}
		if c.Date != "" {
			fmt.Fprintf(b, " (%s)", localTime(c.Date))
		}
		b.WriteString("\n")
	}
}

// outcomes lists what the referral's Task says was done: the services
// delivered and what else was sent with its completion.
func (b *sheet) outcomes(outcomes []outcome) {
	if len(outcomes) == 0 {
		return
	}
	b.WriteString("\nOutcomes sent\n")
	for _, o := range outcomes {
		what := o.ref
		if what == "" {
			what = o.value + " (as a code)"
		}
		b.line(o.kind, what)
	}
}

func (b *sheet) changes(changes []app.Change) {
	if len(changes) == 0 {
		return
	}
	b.WriteString("\nChanges sent from here\n")
	for _, ch := range changes {
		fmt.Fprintf(b, "  %s  %s → %s  %s", ch.CreatedAt.Local().Format("2006-01-02 15:04"),
			app.StatusLabel(ch.FromStatus), app.StatusLabel(ch.ToStatus), ch.State)
		if ch.Reason != "" {
			fmt.Fprintf(b, "  reason: %s", ch.Reason)
		}
		if ch.Detail != "" && ch.State != app.ChangeSent {
			fmt.Fprintf(b, "  (%s)", ch.Detail)
		}
		b.WriteString("\n")
	}
}

// localTime shows a FHIR dateTime in the computer's time zone when it has a time.
func localTime(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.Local().Format("Mon 2 Jan 2006 15:04")
	}
	return v
}
