package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/referraldesk/referraldesk/app"
)

// runPassphrase changes the data's passphrase, and with --new-recovery-key
// its recovery key too. The current passphrase is the one that unlocked the
// data in this run, so the terminal asks it once; after the keyring
// unlocked it, it is asked here.
func runPassphrase(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("passphrase", flag.ContinueOnError)
	newRecoveryKey := fs.Bool("new-recovery-key", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 0, commands["passphrase"].usage); err != nil {
		return err
	}
	// A folder protected a moment ago by this run has the passphrase just
	// chosen and a recovery key just shown; only a script's new one is left.
	if c.protectedNow && c.env.Secrets.getenv(envNewPassphrase) == "" {
		return nil
	}
	current, err := c.currentPassphrase(ctx)
	if err != nil {
		return err
	}
	next, ok, err := c.env.Secrets.chosen(envNewPassphrase, c.env.Stderr)
	if err != nil {
		return err
	}
	if !ok {
		return &saidError{say: "Give the new passphrase in " + envNewPassphrase + ", or run 'referraldesk passphrase' in a terminal.",
			err: &app.Error{Op: "change the passphrase", Kind: app.KindInvalid}}
	}
	if err := c.app.ChangePassphrase(ctx, current.text, next.text); app.KindOf(err) == app.KindInvalid {
		return next.blame(err) // the rule refused the new one
	} else if err != nil {
		return current.blame(err)
	}
	fmt.Fprintln(c.env.Stderr, "The passphrase is changed: the old one no longer opens this data.")
	if !*newRecoveryKey || c.protectedNow {
		return nil
	}
	recoveryKey, err := c.app.NewRecoveryKey(ctx, next.text)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stderr, "The old recovery key no longer opens this data; this one does.")
	showRecoveryKey(c.env.Stderr, recoveryKey)
	return nil
}

// currentPassphrase is the one that unlocked the data in this run, else
// (the keyring's key unlocked it) one given now, checked at once: a wrong
// one is said before the new passphrase is typed twice for nothing.
func (c *cmdline) currentPassphrase(ctx context.Context) (passphrase, error) {
	if c.secret.text != "" {
		return c.secret, nil
	}
	p, ok, err := c.env.Secrets.current("Current passphrase (or recovery key): ")
	if err != nil {
		return p, err
	}
	if !ok {
		return p, locked("change the passphrase", "Changing the passphrase needs the current one (or the recovery key): set "+
			envPassphrase+" or run it in a terminal.")
	}
	return p, p.blame(c.app.Unlock(ctx, p.text, false))
}
