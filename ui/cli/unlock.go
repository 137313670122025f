package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/referraldesk/referraldesk/app"
)

// open opens the data folder and the app over it, and unlocks the data:
// with the keyring's key, else a passphrase (Secrets.current). A folder with
// no passphrase yet is protected first (protect). c.app is set as soon as
// the folder is open, so that the caller closes it whatever failed after.
func (c *cmdline) open(ctx context.Context) error {
	if c.dataDir == "" {
		return errNoDataDir
	}
	a, err := app.Open(c.dataDir, app.Options{HTTP: c.env.HTTP, OpenBrowser: c.env.OpenBrowser,
		Keyring: readOnly(c.env.Secrets.Keyring)})
	if err != nil {
		return err
	}
	c.app = a
	switch a.Protection(ctx) {
	case app.Unlocked:
		return nil
	case app.Unprotected:
		return c.protect(ctx)
	}
	return c.unlock(ctx)
}

// unlock opens locked data. The keyring comes first, as in the window: a
// case worker who asked this computer to remember the key is not asked.
func (c *cmdline) unlock(ctx context.Context) error {
	if ok, err := c.app.UnlockFromKeyring(ctx); ok || err != nil {
		return err
	}
	p, ok, err := c.env.Secrets.current("Passphrase for Referral Desk: ")
	if err != nil {
		return err
	}
	if !ok {
		return locked("unlock", "Referral Desk is locked: set "+envPassphrase+" or run it in a terminal.")
	}
	if err := c.app.Unlock(ctx, p.text, false); err != nil {
		return p.blame(err)
	}
	c.secret = p
	return nil
}

// protect gives a folder with no passphrase yet (a new one, or one from a
// release before encryption at rest) its passphrase, encrypting it in place,
// and shows the recovery key once. The key goes to stderr, never stdout:
// stdout is what scripts keep and pipe on.
func (c *cmdline) protect(ctx context.Context) error {
	p, ok, err := c.env.Secrets.chosen(envPassphrase, c.env.Stderr)
	if err != nil {
		return err
	}
	if !ok {
		return locked("protect the data", "This data has no passphrase yet: set "+envPassphrase+
			" to the passphrase you choose, or run referraldesk in a terminal, to protect it.")
	}
	recoveryKey, err := c.app.SetUp(ctx, p.text, false)
	if err != nil {
		return p.blame(err)
	}
	c.secret, c.protectedNow = p, true
	fmt.Fprintf(c.env.Stderr, "Referral Desk now protects the data in %s with your passphrase.\n", c.dataDir)
	showRecoveryKey(c.env.Stderr, recoveryKey)
	return nil
}

// showRecoveryKey shows a recovery key with what it is for.
func showRecoveryKey(w io.Writer, recoveryKey string) {
	fmt.Fprintf(w, "\nRecovery key: %s\n\nWrite this recovery key down and keep it safe: "+
		"with neither it nor your passphrase, this data cannot be read.\n\n", recoveryKey)
}
