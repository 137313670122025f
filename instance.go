package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/referraldesk/referraldesk/app/instance"
	"github.com/referraldesk/referraldesk/ui"
)

// handWait bounds how long a second launch waits for the open window to
// take its link (it may itself be starting).
const handWait = 10 * time.Second

// claimFolder claims the data folder for this launch's window. When a
// window has it already, the link (or nothing: that window comes forward)
// goes to that window and this launch ends here, so two windows never
// share one database. It returns nil when the folder could not be claimed
// for another reason (app.Open then says what is wrong with the folder).
func claimFolder(dataDir, link string) *instance.Instance {
	in, err := instance.Claim(dataDir)
	var noChannel *instance.ListenError
	switch {
	case err == nil:
		return in
	case errors.As(err, &noChannel): // later launches are refused, without handing over their link
		fmt.Fprintln(os.Stderr, "referraldesk:", err)
		return in
	case errors.Is(err, instance.ErrRunning):
		ctx, cancel := context.WithTimeout(context.Background(), handWait)
		err := instance.Hand(ctx, dataDir, link)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "referraldesk: Referral Desk is already open for this data folder, but its window did not answer. Close it, then try again.")
			os.Exit(1)
		}
		if link != "" {
			fmt.Fprintln(os.Stderr, "referraldesk: Referral Desk is already open; its window shows your link.")
		} else {
			fmt.Fprintln(os.Stderr, "referraldesk: Referral Desk is already open; its window has come forward.")
		}
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "referraldesk:", err)
	return nil
}

// openLinks opens the link this launch was given in the window, and the
// links later launches hand over, until the window closes (in.Close).
func openLinks(w *ui.Window, in *instance.Instance, link string) {
	if link != "" {
		w.OpenLink(link)
	}
	if in != nil {
		go in.Serve(w.OpenLink)
	}
}
