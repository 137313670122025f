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
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-13s %s\n", label+":", value)
		}
	}
	fmt.Fprintf(&b, "Referral %s from %s\n", d.TaskID, d.Source.Name)
	if d.DoNotContact {
		b.WriteString("\n  !!! DO NOT CONTACT THIS PERSON. The requester says contacting them is prohibited (for example for their safety).\n  !!! Work through the requester only.\n")
	}
	fmt.Fprintf(&b, "\nStatus: %s", app.StatusLabel(d.Status))
	if d.StatusReason != "" {
		fmt.Fprintf(&b, " (%s)", d.StatusReason)
	}
	if d.Pending {
		b.WriteString(" (a change is waiting to be sent)")
	}
	fmt.Fprintf(&b, "\nPriority: %s\nReceived: %s\n", d.Priority, localTime(d.AuthoredOn))

	b.WriteString("\nPerson\n")
	line("Name", d.Person.Name)
	if d.Person.BirthDate != "" {
		born := d.Person.BirthDate
		if d.Person.Age >= 0 {
			born = fmt.Sprintf("%s (age %d)", born, d.Person.Age)
		}
		line("Born", born)
	}
	line("Gender", d.Person.Gender)
	line("Language", d.Person.Language)
	if d.DoNotContact {
		line("Contact", "hidden: do not contact")
	} else {
		line("Phone", strings.Join(d.Person.Phones, "; "))
		line("Email", strings.Join(d.Person.Emails, "; "))
		line("Address", strings.Join(d.Person.Addresses, "; "))
	}
	if !d.Person.Known {
		b.WriteString("  (the person's record was not available from the platform)\n")
	}

	b.WriteString("\nNeed\n")
	line("Category", d.Need.Category)
	line("Service", d.Need.Service)
	line("Because of", strings.Join(d.Need.Reasons, "; "))
	line("When", d.Need.Period)
	for _, n := range append(append([]string{}, d.Need.Notes...), d.Notes...) {
		line("Note", n)
	}

	b.WriteString("\nRequested by\n")
	line("Who", d.Requester.Name)
	line("Reach them", strings.Join(d.Requester.Contacts, "; "))

	b.WriteString("\nConsent\n")
	switch d.Consent.State {
	case "active":
		line("State", "active: the person agreed to share this information")
	case "inactive":
		line("State", "NOT active: check with the requester before acting")
	default:
		line("State", "no consent on file")
	}
	line("Signed", d.Consent.Date)
	line("Covers", d.Consent.Period)
	line("Shared with", strings.Join(d.Consent.Organizations, "; "))

	if len(d.Changes) > 0 {
		b.WriteString("\nChanges sent from here\n")
		for _, ch := range d.Changes {
			fmt.Fprintf(&b, "  %s  %s → %s  %s", ch.CreatedAt.Local().Format("2006-01-02 15:04"),
				app.StatusLabel(ch.FromStatus), app.StatusLabel(ch.ToStatus), ch.State)
			if ch.Reason != "" {
				fmt.Fprintf(&b, "  reason: %s", ch.Reason)
			}
			if ch.Detail != "" && ch.State != app.ChangeSent {
				fmt.Fprintf(&b, "  (%s)", ch.Detail)
			}
			b.WriteString("\n")
		}
	}
	if len(d.Next) > 0 {
		var acts []string
		for _, s := range d.Next {
			acts = append(acts, fmt.Sprintf("%s (%s)", app.ActionName(d.Status, s), s))
		}
		fmt.Fprintf(&b, "\nYou can: %s\n", strings.Join(acts, ", "))
	}
	return b.String()
}

// localTime shows a FHIR dateTime in the computer's time zone when it has a time.
func localTime(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.Local().Format("Mon 2 Jan 2006 15:04")
	}
	return v
}
