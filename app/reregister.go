package app

import (
	"context"
	"errors"
)

// Getting back in after a platform forgot Referral Desk: a platform that was
// reset (the demo platform keeps registrations in memory), or that dropped
// the registration, answers a refresh with invalid_client, "unknown
// client_id". Its sign-in page would refuse that client id too, so signing
// in again with it would leave the case worker on a dead browser page. The
// client id and its tokens are forgotten instead; Connect (Sign in again)
// then registers anew (RFC 7591) where the platform allows, and otherwise
// stops before the browser with an error NeedsClientID recognises. The
// referrals and the queued changes stay; the changes go out with the first
// sync after the new sign-in.

// clientForgotten records that the platform no longer knows Referral Desk's
// client id (err matches auth.ErrClientUnknown). It is saved even when the
// caller gave up: the platform's answer stands.
func (a *App) clientForgotten(ctx context.Context, id int64, err error) {
	if serr := a.store.ForgetClient(context.WithoutCancel(ctx), id, Explain(err)); serr != nil {
		a.log.Error("forgetting a client id the platform no longer knows", "source", id, "cause", serr, "after", innermost(err))
	}
}

// clientUnknownSay is what the sync status says of a platform that no longer
// knows Referral Desk.
func clientUnknownSay(platform string) string {
	return platform + " no longer recognises Referral Desk: sign in again to connect it anew. Nothing you have here is lost."
}

// NeedsClientID reports an error of Connect that only a client id cures: the
// platform lets no app register itself, and no client id was given or is
// still known for it. Nothing was opened in the browser.
func NeedsClientID(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Reason == reasonNoRegistration
}
