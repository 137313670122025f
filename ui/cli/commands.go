package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

func runSources(ctx context.Context, c *cmdline, args []string) error {
	if err := needArgs(args, 0, commands["sources"].usage); err != nil {
		return err
	}
	srcs, err := c.app.Sources(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tFHIR BASE\tOWNER\tSTATE\tLAST SYNC")
	for _, s := range srcs {
		last := "never"
		if !s.LastSyncAt.IsZero() {
			last = s.LastSyncAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Name, s.FHIRBase, s.Owner, stateWord(s), last)
	}
	return tw.Flush()
}

func stateWord(s app.Source) string {
	switch s.State {
	case app.SourceNeedsSignIn:
		return "needs sign-in"
	case app.SourceError:
		return "error: " + oneLine(s.StateDetail)
	}
	return string(s.State)
}

func runSync(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	source := fs.Int64("source", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 0, commands["sync"].usage); err != nil {
		return err
	}
	var reps []app.SyncReport
	if *source != 0 {
		if _, err := c.app.Source(ctx, *source); err != nil {
			return &app.Error{Op: "sync", Kind: app.KindNotFound, Reason: app.ReasonNoSuchPlatform, N: int(*source), Err: err}
		}
		rep, err := c.app.Sync(ctx, *source)
		rep.Err = err
		reps = append(reps, rep)
	} else if reps, err = c.app.SyncAll(ctx); err != nil {
		return err
	}
	if len(reps) == 0 {
		return &app.Error{Op: "sync", Kind: app.KindNotFound, Reason: app.ReasonNoPlatforms}
	}
	var failed []string
	var errs []error
	for _, r := range reps {
		c.printf("%d %s: %d new, %d updated, %d unchanged, %s, %s",
			r.Source.ID, r.Source.Name, r.New, r.Updated, r.Unchanged, app.Plural(int(r.Requests), "request", "requests"), r.Duration.Round(time.Millisecond))
		if r.Sent+r.Conflicts+r.Refused > 0 {
			c.printf("; changes sent %d, conflicts %d, refused %d", r.Sent, r.Conflicts, r.Refused)
		}
		if len(r.Skipped) > 0 {
			c.printf("; %d entries could not be read", len(r.Skipped))
		}
		if r.Err != nil {
			c.printf("; failed: %s", oneLine(c.app.Explain(r.Err)))
			failed, errs = append(failed, r.Source.Name), append(errs, r.Err)
		}
		c.printf("\n")
	}
	if len(failed) > 0 {
		return &app.Error{Op: "sync", Reason: app.ReasonSyncFailed, List: failed, Err: errors.Join(errs...)}
	}
	return nil
}

// inboxRow is one referral as `inbox --json` prints it.
type inboxRow struct {
	Task      string `json:"task"`
	Source    int64  `json:"source"`
	Status    string `json:"status"`
	Priority  string `json:"priority"`
	Person    string `json:"person"`
	Need      string `json:"need"`
	Requester string `json:"requester"`
	Received  string `json:"received"`
	Pending   bool   `json:"pending,omitempty"`
	NoContact bool   `json:"doNotContact,omitempty"`
}

func runInbox(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("inbox", flag.ContinueOnError)
	status := fs.String("status", "", "")
	source := fs.Int64("source", 0, "")
	asJSON := fs.Bool("json", false, "")
	wide := fs.Bool("wide", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 0, commands["inbox"].usage); err != nil {
		return err
	}
	f := app.InboxFilter{SourceID: *source}
	if *status != "" {
		f.Statuses = strings.Split(*status, ",")
		for _, s := range f.Statuses {
			if !app.KnownStatus(s) {
				return usageError(fmt.Sprintf("%q is not a referral status (requested, accepted, rejected, in-progress, on-hold, completed, failed, cancelled …)", s))
			}
		}
	}
	refs, err := c.app.Inbox(ctx, f)
	if err != nil {
		return err
	}
	rows := make([]inboxRow, len(refs))
	for i, r := range refs {
		rows[i] = inboxRow{Task: r.TaskID, Source: r.SourceID, Status: r.Status, Priority: r.Priority, Person: r.Person,
			Need: r.Need, Requester: r.Requester, Received: r.AuthoredOn, Pending: r.Pending, NoContact: r.DoNotContact}
	}
	if *asJSON {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	width := inboxWidth
	if *wide {
		width = 0
	}
	return writeInbox(c.env.Stdout, rows, width)
}

func runDemoPlatform(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("demo-platform", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "")
	n := fs.Int("referrals", 25, "")
	faults := fs.String("faults", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 0, commands["demo-platform"].usage); err != nil {
		return err
	}
	if *faults == "help" {
		c.printf("%s\n", app.DemoFaultsHelp)
		return nil
	}
	p, err := app.StartFaultyDemoPlatform(*addr, *n, *faults)
	if err != nil {
		return err
	}
	if *faults != "" {
		fmt.Fprintf(c.env.Stderr, "Faults on: %s\n", *faults)
	}
	defer p.Close()
	user, pass := p.SignIn()
	c.printf("%s\n", p.FHIRBase())
	fmt.Fprintf(c.env.Stderr, "Demo referral platform with %d referrals is running.\nConnect with: referraldesk connect %s\nSign in as %q with password %q. Press Ctrl+C to stop.\n",
		*n, p.FHIRBase(), user, pass)
	<-ctx.Done()
	return nil
}
