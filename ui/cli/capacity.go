package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/referraldesk/referraldesk/app"
)

// capacityWords are the states capacity takes, as the IG's capacity codes.
var capacityWords = map[string]string{
	"open":       app.CapacityOpen,
	"full":       app.CapacityFull,
	"waitlist":   app.CapacityWaitlist,
	"assessment": app.CapacityAssessment,
}

// runCapacity says whether the organization can take a platform's
// referrals, and with --decline-new declines every new one; with no state
// it lists each platform's capacity.
func runCapacity(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("capacity", flag.ContinueOnError)
	source := fs.Int64("source", 0, "")
	note := fs.String("note", "", "")
	declineNew := fs.Bool("decline-new", false, "")
	yes := fs.Bool("yes", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 && *note == "" && !*declineNew {
		return c.listCapacity(ctx, *source)
	}
	if err := needArgs(pos, 1, commands["capacity"].usage); err != nil {
		return err
	}
	code, ok := capacityWords[pos[0]]
	if !ok {
		return usageError(fmt.Sprintf("%q is not a capacity: say open, full, waitlist or assessment", pos[0]))
	}
	if *declineNew && code != app.CapacityFull {
		return usageError("--decline-new goes with full: capacity full --decline-new --yes")
	}
	src, err := c.oneSource(ctx, *source, "set capacity")
	if err != nil {
		return err
	}
	// Asked before anything changes: it declines referrals nobody has read.
	if *declineNew && !*yes {
		return &saidError{say: fmt.Sprintf("--decline-new declines every new referral from %s, each with a reason its requester sees: add --yes to do it.", src.Name),
			err: &app.Error{Op: "decline every new referral", Kind: app.KindInvalid}}
	}
	shared, err := c.app.SetCapacity(ctx, src.ID, code, *note)
	if err != nil {
		return err
	}
	where := "kept here only: this platform does not let Referral Desk publish it"
	if shared {
		where = "shared with the platform"
	}
	c.printf("%d %s: %s, %s.\n", src.ID, src.Name, capacityLabel(code), where)
	if !*declineNew {
		return nil
	}
	n, err := c.app.DeclineAllNewAtCapacity(ctx, src.ID, *note)
	c.printf("Declined %s at capacity.\n", app.Plural(n, "new referral", "new referrals"))
	if err != nil {
		return err
	}
	if waiting := c.waiting(ctx, src.ID); waiting > 0 {
		c.printf("%s waiting to be sent: see 'referraldesk queue'.\n", app.Plural(waiting, "change", "changes"))
	}
	return nil
}

// listCapacity prints what the organization said of its capacity, per platform.
func (c *cmdline) listCapacity(ctx context.Context, source int64) error {
	var srcs []app.Source
	var err error
	if source != 0 {
		var src app.Source
		src, err = c.oneSource(ctx, source, "show capacity")
		srcs = []app.Source{src}
	} else {
		srcs, err = c.app.Sources(ctx)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCAPACITY\tNOTE")
	for _, s := range srcs {
		label := "not said"
		if s.Capacity != "" {
			label = capacityLabel(s.Capacity)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.ID, s.Name, label, oneLine(s.CapacityNote))
	}
	return tw.Flush()
}

// capacityLabel is how a capacity code reads.
func capacityLabel(code string) string {
	for _, c := range app.Capacities {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

// oneSource is the platform --source names, else the only one connected.
func (c *cmdline) oneSource(ctx context.Context, id int64, op string) (app.Source, error) {
	if id != 0 {
		src, err := c.app.Source(ctx, id)
		if err != nil {
			return src, &app.Error{Op: op, Kind: app.KindNotFound, Reason: app.ReasonNoSuchPlatform, N: int(id), Err: err}
		}
		return src, nil
	}
	srcs, err := c.app.Sources(ctx)
	switch {
	case err != nil:
		return app.Source{}, err
	case len(srcs) == 0:
		return app.Source{}, &app.Error{Op: op, Kind: app.KindNotFound, Reason: app.ReasonNoPlatforms}
	case len(srcs) > 1:
		return app.Source{}, usageError("more than one platform is connected: give --source ID (see 'referraldesk sources')")
	}
	return srcs[0], nil
}

// waiting counts a platform's changes waiting to be sent; 0 if unknown.
func (c *cmdline) waiting(ctx context.Context, source int64) int {
	srcs, _ := c.app.Sources(ctx)
	for _, s := range srcs {
		if s.ID == source {
			return s.Waiting
		}
	}
	return 0
}
