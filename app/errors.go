package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// Problem is an error with a sentence for the case worker; the wrapped error
// keeps the technical detail for logs and support.
type Problem struct {
	Say string
	Err error
}

func (p *Problem) Error() string { return p.Say }
func (p *Problem) Unwrap() error { return p.Err }

func problem(err error, format string, args ...any) error {
	return &Problem{Say: fmt.Sprintf(format, args...), Err: err}
}

// Explain turns any error from the app into one sentence a case worker
// understands. It is the one place where server errors become user messages.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var p *Problem
	if errors.As(err, &p) {
		return p.Say
	}
	if errors.Is(err, storage.ErrNotFound) {
		return "Referral Desk has no record of that."
	}
	if errors.Is(err, context.Canceled) {
		return "Stopped."
	}
	var ae *auth.Error
	if errors.As(err, &ae) && ae.Sentence() != "" {
		return ae.Sentence()
	}
	if errors.Is(err, auth.ErrSignInNeeded) {
		return "The platform has ended this sign-in. Sign in again; nothing you had here is lost."
	}
	outcome := fhir.OutcomeOf(err)
	say := func(s string) string {
		if outcome != "" {
			return s + " The platform said: " + outcome
		}
		return s
	}
	switch fhir.KindOf(err) {
	case fhir.KindOffline:
		return "The platform could not be reached. Check the internet connection; Referral Desk will try again."
	case fhir.KindUnauthorized:
		if errors.Is(err, auth.ErrTemporary) {
			return "The platform's sign-in service is not answering right now; Referral Desk will try again."
		}
		return "The platform did not accept the sign-in. Sign in again."
	case fhir.KindForbidden:
		return say("The platform does not allow this.")
	case fhir.KindNotFound, fhir.KindGone:
		return say("The platform no longer has this referral.")
	case fhir.KindConflict:
		return say("Someone changed this referral on the platform first.")
	case fhir.KindInvalid:
		return say("The platform refused the change.")
	case fhir.KindRateLimited:
		return "The platform asked Referral Desk to slow down; it will try again shortly."
	case fhir.KindServer:
		return say("The platform had a problem of its own; Referral Desk will try again.")
	case fhir.KindBadResponse:
		return "The platform sent something Referral Desk cannot read. Nothing was changed here."
	case fhir.KindRefused:
		return "The platform pointed Referral Desk somewhere unsafe, so it stopped. Nothing was changed here."
	}
	return "Something went wrong: " + err.Error()
}

// grantLimits says what will not work with the scopes a platform granted,
// one sentence each; "" when everything needed was granted.
func grantLimits(scope string) string {
	var say []string
	for _, r := range auth.MissingScopes(scope) {
		say = append(say, r.Sentence())
	}
	return strings.Join(say, " ")
}

// Explain is the package's Explain, and writes what lies behind the sentence
// to the log: the kinds and the innermost cause. Use it wherever a sentence
// is shown to the case worker, so that support can see why.
func (a *App) Explain(err error) string {
	say := Explain(err)
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.Warn("shown to the case worker", "say", say, "fhir", fhir.KindOf(err), "auth", auth.KindOf(err),
			"cause", innermost(err))
	}
	return say
}

// innermost is the text of the deepest error err wraps: the technical cause,
// not a sentence written for the case worker.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// temporary reports whether err is worth trying again later as it is.
func temporary(err error) bool {
	if errors.Is(err, auth.ErrTemporary) {
		return true
	}
	switch fhir.KindOf(err) {
	case fhir.KindOffline, fhir.KindRateLimited, fhir.KindServer:
		return true
	}
	return false
}
