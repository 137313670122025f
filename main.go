// Referral Desk: one inbox on the case worker's own computer for the SDOH
// referrals that health systems and referral platforms send a community
// organization. With a command it runs the command line; without, the window.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/ui/cli"
)

func main() {
	env := cli.Env{DataDir: defaultDataDir(), OpenBrowser: announceBrowser}
	os.Exit(cli.Run(os.Args[1:], env))
}

// announceBrowser opens the sign-in page and says where it is, for machines
// where no browser opens by itself.
func announceBrowser(url string) error {
	fmt.Fprintf(os.Stderr, "Opening the sign-in page in your browser. If it does not open, visit:\n  %s\n", url)
	if err := auth.OpenBrowser(url); err != nil {
		fmt.Fprintf(os.Stderr, "(the browser could not be opened: %v)\n", err)
	}
	return nil
}

// defaultDataDir is the per-user folder for Referral Desk's database.
func defaultDataDir() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "referraldesk")
	}
	return ""
}
