package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// Kind is what went wrong, in the terms the app acts on and the case worker
// hears (Upspin's errors.E(op, kind, err)). It is Referral Desk's one error
// vocabulary: fhir's and auth's own kinds map onto it (KindOf), the app
// decides with it whether to try again, ask for a sign-in or give up, and
// Explain starts from it.
type Kind uint8

// The kinds. KindOther, the zero value, says nothing of its own: an *Error of
// KindOther has the kind of the error it wraps.
const (
	KindOther        Kind = iota
	KindInternal          // a fault inside Referral Desk, or an error nobody classified: the details are in the log
	KindOffline           // the platform could not be reached, or did not answer in time: tried again later
	KindTemporary         // the platform is busy or had a fault of its own: tried again later, nothing lost
	KindSignInNeeded      // the platform ended the sign-in: sign in again; nothing here is lost
	KindRefused           // the platform (or the person) refused, or does not allow it
	KindConflict          // someone changed it on the platform first
	KindNotFound          // no such thing, here or on the platform
	KindDamaged           // what the platform sent, or what is saved here, cannot be read or used
	KindUnsafe            // a link, address or answer Referral Desk will not follow: nothing was contacted or changed
	KindLocal             // a problem on this computer: the browser, a port, the disk, the data folder, the camera
	KindInvalid           // what was asked cannot be done as asked: a status move, a missing reason, a command line
	KindCanceled          // stopped before it finished: cancelled, or nobody finished in time
	KindLocked            // the data is locked (or the passphrase was wrong): nothing can be read until it is unlocked
)

var kindNames = [...]string{"other", "internal", "offline", "temporary", "sign-in needed", "refused", "conflict",
	"not found", "damaged", "unsafe", "local", "invalid", "canceled", "locked"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind %d", k)
}

// Error is an error of the app: what it was doing (Op), the Kind, why
// (Reason, the key to its sentence in sentences.go), the details that
// sentence reads, and the cause. Error() is the technical text, for logs;
// Explain gives the sentence.
type Error struct {
	Op     string // what the app was doing: "connect", "sync", "send a change"…
	Kind   Kind   // KindOther: the kind of Err
	Reason Reason // which sentence explains it; "": the sentence of the kind (or of Err)
	// Details the sentence reads; zero when they do not apply. None of them
	// is part of Error(): the log keeps reasons and causes, not what people typed.
	Platform string   // a platform's name
	Value    string   // what was given or found: a referral id, a reference, a link parameter, a message
	Status   string   // a referral's status, as the case worker reads it ("accepted")
	To       string   // the status a change asked for
	Action   string   // what the case worker did ("Decline")
	Host     string   // a server name as the computer contacts it (punycode)
	Path     string   // a file or folder on this computer
	List     []string // several names: alphabets, platforms, referrals
	N, Of    int      // counts and limits
	Err      error    // the technical cause, if any
}

// Error returns the technical text: "app: sync: sign-in needed: …".
func (e *Error) Error() string {
	s := "app: "
	if e.Op != "" {
		s += e.Op + ": "
	}
	switch {
	case e.Reason != "":
		s += string(e.Reason)
	case e.Kind != KindOther:
		s += e.Kind.String()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err in the app's vocabulary: the kind of the
// outermost *Error that says one, else what the errors of fhir, auth, the
// store and the context mean. An error nobody classified is KindInternal.
func KindOf(err error) Kind {
	if err == nil {
		return KindOther
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Kind != KindOther {
			return e.Kind
		}
		if e.Err == nil {
			return KindInternal
		}
		return KindOf(e.Err)
	}
	if errors.Is(err, context.Canceled) {
		return KindCanceled
	}
	var fe *fhir.Error
	var ae *auth.Error
	switch {
	case fhir.IsSlow(err): // it answered, then trickled the rest: busy, not out of reach
		return KindTemporary
	// A token the platform's sign-in service would not give: auth says why.
	case errors.As(err, &fe) && !(fe.Kind == fhir.KindUnauthorized && errors.As(err, &ae)):
		return fhirKinds[fe.Kind]
	case errors.As(err, &ae):
		if ae.Kind == auth.KindTemporary && (ae.Reason == auth.ReasonUnreachable || ae.Reason == auth.ReasonNoAnswer) {
			return KindOffline
		}
		return authKinds[ae.Kind]
	case errors.Is(err, storage.ErrNotFound):
		return KindNotFound
	case errors.Is(err, storage.ErrLocked):
		return KindLocked
	case errors.Is(err, storage.ErrDamaged):
		return KindDamaged
	case errors.Is(err, storage.ErrDiskFull):
		return KindLocal
	case errors.Is(err, context.DeadlineExceeded):
		return KindOffline
	}
	return KindInternal
}

// fhirKinds maps a FHIR interaction's failure onto the app's kinds.
var fhirKinds = map[fhir.Kind]Kind{
	fhir.KindOther:        KindInternal,
	fhir.KindOffline:      KindOffline,
	fhir.KindUnauthorized: KindSignInNeeded, // 401 even after a refresh
	fhir.KindForbidden:    KindRefused,
	fhir.KindNotFound:     KindNotFound,
	fhir.KindGone:         KindNotFound,
	fhir.KindConflict:     KindConflict,
	fhir.KindInvalid:      KindRefused,
	fhir.KindRateLimited:  KindTemporary,
	fhir.KindServer:       KindTemporary,
	fhir.KindBadResponse:  KindDamaged,
	fhir.KindRefused:      KindUnsafe, // an off-origin or looping link, not followed
}

// authKinds maps a sign-in's failure onto the app's kinds (KindOf tells
// a platform that cannot be reached from one that is busy).
var authKinds = map[auth.Kind]Kind{
	auth.KindOther:        KindInternal,
	auth.KindLink:         KindUnsafe,
	auth.KindPlatform:     KindDamaged,
	auth.KindRefused:      KindRefused,
	auth.KindUnsafe:       KindUnsafe,
	auth.KindTimeout:      KindCanceled,
	auth.KindCanceled:     KindCanceled,
	auth.KindLocal:        KindLocal,
	auth.KindTemporary:    KindTemporary,
	auth.KindSignInNeeded: KindSignInNeeded,
}

// Explain turns any error into one sentence a case worker understands (see
// sentences.go). It never shows an error's own text: what it cannot say
// better is "something went wrong inside Referral Desk", and the cause
// goes to the log (App.Explain).
func Explain(err error) string { return sentence(err, "") }

// Explain is the package's Explain, and writes what lies behind the sentence
// to the log: the kind, the error's text and the innermost cause. Use it
// wherever a sentence is shown to the case worker, so that support can see
// why; its fallback names the log file.
func (a *App) Explain(err error) string {
	say := sentence(err, a.logPath)
	if err != nil && KindOf(err) != KindCanceled {
		a.log.Warn("shown to the case worker", "say", say, "kind", KindOf(err), "error", err.Error(),
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

// isSignInNeeded: the platform ended the grant, or refused the token even
// after a refresh.
func isSignInNeeded(err error) bool { return KindOf(err) == KindSignInNeeded }
