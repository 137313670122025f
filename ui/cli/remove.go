package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/referraldesk/referraldesk/app"
)

// runRemove removes a platform: it signs out of it (revoking its tokens
// where the platform offers that) and deletes everything of it here. It
// says first what would be lost, and does it only with --yes.
func runRemove(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("remove", flag.ContinueOnError)
	yes := fs.Bool("yes", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 1, commands["remove"].usage); err != nil {
		return err
	}
	src, err := c.platform(ctx, pos[0])
	if err != nil {
		return err
	}
	n, err := c.app.CountInbox(ctx, app.InboxFilter{SourceID: src.ID})
	if err != nil {
		return err
	}
	if !*yes {
		return &saidError{say: app.RemovalWarning(src.Name, n, src.Waiting) + " Add --yes to remove it.",
			err: &app.Error{Op: "remove a platform", Kind: app.KindInvalid}}
	}
	rm, err := c.app.RemoveSource(ctx, src.ID)
	if err != nil {
		return err
	}
	c.printf("Removed %d %s: %s deleted from this computer.\n", src.ID, src.Name, app.Plural(n, "referral", "referrals"))
	if say := rm.Message(); say != "" {
		fmt.Fprintln(c.env.Stderr, "Note: "+say)
	}
	return nil
}

// platform is the connected platform named by its id (as 'sources' lists
// it) or its name.
func (c *cmdline) platform(ctx context.Context, which string) (app.Source, error) {
	if id, err := strconv.ParseInt(which, 10, 64); err == nil {
		return c.oneSource(ctx, id, "find a platform")
	}
	srcs, err := c.app.Sources(ctx)
	if err != nil {
		return app.Source{}, err
	}
	for _, s := range srcs {
		if strings.EqualFold(s.Name, strings.TrimSpace(which)) {
			return s, nil
		}
	}
	return app.Source{}, usageError(fmt.Sprintf("no platform called %q is connected here: see 'referraldesk sources'", which))
}
