package app

import "strings"

// Waiting is what a connect tells ConnectOptions.OnWaiting once the link
// was checked, the platform found and its sign-in page is ready: that it
// now waits for the case worker to sign in there.
type Waiting struct {
	// Address is the platform's sign-in page. It carries this sign-in's
	// one-time state: it is shown to the case worker, and never logged.
	Address string
	// NoBrowser: the system browser could not be opened. The sign-in keeps
	// waiting, for the case worker to open Address in a browser themselves.
	NoBrowser bool
}

// Say is what the case worker reads when the browser did not open, before
// the address; "" when it opened.
func (w Waiting) Say() string {
	if !w.NoBrowser {
		return ""
	}
	return say(reasonNoBrowser)
}

// openSignIn is how a sign-in opens its page. Without onWaiting, a browser
// that does not open ends the sign-in (nobody would see the address). With
// it, onWaiting hears first that the sign-in waits (before the browser is
// asked: a browser may take seconds to return), and again when the browser
// could not be opened; the sign-in then keeps waiting (RFC 8252 §4.1 only
// needs the page opened in a browser, not by Referral Desk). An address the
// browser refused as unsafe still ends it. The cause goes to the log,
// without the address.
func (a *App) openSignIn(onWaiting func(Waiting)) func(string) error {
	if onWaiting == nil {
		return a.open
	}
	return func(address string) error {
		onWaiting(Waiting{Address: address})
		err := a.open(address)
		if err == nil || KindOf(err) == KindUnsafe {
			return err
		}
		a.log.Warn("the browser did not open the sign-in page; its address is shown to open by hand",
			"kind", KindOf(err), "error", strings.ReplaceAll(err.Error(), address, "(the sign-in address)"))
		onWaiting(Waiting{Address: address, NoBrowser: true})
		return nil
	}
}
