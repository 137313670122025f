package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/referraldesk/referraldesk/app"
)

// runQueue lists, per platform, the changes made here that wait to be sent
// and those a conflict stopped, with how many wait.
func runQueue(ctx context.Context, c *cmdline, args []string) error {
	if err := needArgs(args, 0, commands["queue"].usage); err != nil {
		return err
	}
	srcs, err := c.app.Sources(ctx)
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return &app.Error{Op: "list the queue", Kind: app.KindNotFound, Reason: app.ReasonNoPlatforms}
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	for _, s := range srcs {
		changes, err := c.unsent(ctx, s.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d %s: %s waiting to be sent", s.ID, s.Name, app.Plural(s.Waiting, "change", "changes"))
		if n := countState(changes, app.ChangeConflict); n > 0 {
			fmt.Fprintf(tw, ", %d not sent after a conflict", n)
		}
		fmt.Fprintln(tw)
		if len(changes) > 0 {
			fmt.Fprintln(tw, "  TASK\tCHANGE\tSTATE\tMADE\tDETAIL")
		}
		for _, ch := range changes {
			fmt.Fprintf(tw, "  %s\t%s → %s\t%s\t%s\t%s\n", ch.TaskID, app.StatusLabel(ch.FromStatus), app.StatusLabel(ch.ToStatus),
				ch.State, ch.CreatedAt.Local().Format("2006-01-02 15:04"), oneLine(ch.Detail))
		}
	}
	return tw.Flush()
}

// unsent are a platform's changes that wait to be sent or that a conflict
// stopped, oldest first.
func (c *cmdline) unsent(ctx context.Context, source int64) ([]app.Change, error) {
	return c.app.Unsettled(ctx, source)
}

func countState(changes []app.Change, st app.ChangeState) int {
	n := 0
	for _, ch := range changes {
		if ch.State == st {
			n++
		}
	}
	return n
}
