package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// ErrSignInNeeded matches (errors.Is) every error after which the person must sign in to the platform again;
// cached referrals and queued changes stay.
var ErrSignInNeeded = errors.New("auth: sign-in needed")

// ErrClientUnknown matches (errors.Is) a refresh the platform refused because it no longer knows Referral
// Desk's client id (invalid_client): it was reset, or dropped the registration. It is also ErrSignInNeeded;
// signing in again needs a new registration or client id, since the platform's sign-in page refuses the old one.
var ErrClientUnknown = errors.New("auth: client unknown to the platform")

// ErrTemporary matches (errors.Is) every error worth retrying later with back-off: network, HTTP 5xx, 429.
var ErrTemporary = errors.New("auth: temporary failure")

// Kind says what went wrong in terms the app can act on (Upspin-style error kinds); app.KindOf maps these
// onto the app's one vocabulary.
type Kind uint8

// The kinds of Error.
const (
	KindOther        Kind = iota
	KindLink              // a link or address is unusable or unsafe (http, userinfo, hidden characters…)
	KindPlatform          // the platform answered with something Referral Desk cannot use
	KindRefused           // the platform, or the person, refused
	KindUnsafe            // a security check failed: mix-up, forged or expired id_token, cross-host redirect
	KindTimeout           // the person did not finish signing in in time
	KindCanceled          // the caller cancelled
	KindLocal             // a problem on this computer: port in use, browser, saving, missing settings
	KindTemporary         // retry later; nothing was lost (errors.Is(err, ErrTemporary))
	KindSignInNeeded      // the session ended; sign in again (errors.Is(err, ErrSignInNeeded))
)

var kindNames = [...]string{"other", "link", "platform", "refused", "unsafe", "timeout", "canceled", "local",
	"temporary", "sign-in needed"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind %d", k)
}

// Error is every error this package returns: its Kind, what the package was doing (Op), why (Reason), the
// details the case worker's sentence needs, and the technical cause. Error() is the technical text, for logs;
// Sentence() is what the case worker reads, and app.Explain is the one caller that shows it. Neither ever
// contains tokens, codes, verifiers or state values.
type Error struct {
	Kind   Kind
	Op     string // what the package was doing: "discover", "sign in", "refresh"…; set by the exported call
	Reason Reason // why, as a key into the sentences (sentences.go)
	// Details the sentence reads; zero when they do not apply.
	Status int           // the HTTP status the platform answered with
	Port   int           // the loopback port asked for
	Field  string        // the setting concerned: "token_endpoint", a link's scheme
	Wait   time.Duration // how long the person had to sign in
	Err    error         // the technical cause, if any
}

// Error returns the technical text, for logs: "auth: discover: no sign-in settings (HTTP 404): …".
func (e *Error) Error() string {
	s := "auth: "
	if e.Op != "" {
		s += e.Op + ": "
	}
	s += string(e.Reason)
	switch {
	case e.Status != 0:
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	case e.Port != 0:
		s += fmt.Sprintf(" (port %d)", e.Port)
	case e.Field != "":
		s += " (" + e.Field + ")"
	case e.Wait != 0:
		s += " (after " + e.Wait.String() + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the technical cause.
func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrSignInNeeded) and errors.Is(err, ErrTemporary) match by kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrSignInNeeded:
		return e.Kind == KindSignInNeeded
	case ErrTemporary:
		return e.Kind == KindTemporary
	case ErrClientUnknown:
		return e.Reason == ReasonClientUnknown
	}
	return false
}

func fail(kind Kind, why Reason, cause error) *Error {
	return &Error{Kind: kind, Reason: why, Err: cause}
}

// during names, on the way out of an exported function, what the package was doing when *err happened. The
// outermost call wins: Discover's error says "discover" even when CheckEndpoint found the fault.
func during(op string, err *error) {
	var e *Error
	if *err != nil && errors.As(*err, &e) {
		e.Op = op
	}
}

// KindOf returns the Kind of err, or KindOther when err is not (or does not wrap) an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// netFailure classifies an error from http.Client.Do; ctx is the request's context.
func netFailure(ctx context.Context, err error) *Error {
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var netErr net.Error
	switch {
	case ctx.Err() != nil:
		return fail(KindCanceled, reasonCanceled, err)
	case errors.Is(err, errCrossHost):
		return fail(KindUnsafe, reasonCrossHost, err)
	case errors.Is(err, errTooLarge):
		return fail(KindPlatform, reasonTooLarge, err)
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return fail(KindUnsafe, reasonCertificate, err)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fail(KindTemporary, ReasonNoAnswer, err)
	}
	return fail(KindTemporary, ReasonUnreachable, err)
}
