// Package auth signs Referral Desk in to referral platforms with SMART on FHIR: discovery, client
// registration, sign-in through the system browser (authorization code + PKCE, RFC 8252 loopback redirect),
// id_token verification, token refresh and revocation. It stores nothing: callers persist tokens.
// The rules it implements are in docs/smart-client.md.
package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
)

// ErrSignInNeeded matches (errors.Is) every error after which the person must sign in to the platform again;
// cached referrals and queued changes stay.
var ErrSignInNeeded = errors.New("auth: sign-in needed")

// ErrTemporary matches (errors.Is) every error worth retrying later with back-off: network, HTTP 5xx, 429.
var ErrTemporary = errors.New("auth: temporary failure")

// Kind says what went wrong in terms the app can act on (Upspin-style error kinds).
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

// Error is every error this package returns: a sentence a case worker understands, plus the technical cause
// for logs. Neither ever contains tokens, codes, verifiers or state values.
type Error struct {
	Kind Kind
	Msg  string // the sentence shown to the person
	Err  error  // the technical cause, if any
}

// Error returns the sentence for the person.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the technical cause.
func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrSignInNeeded) and errors.Is(err, ErrTemporary) match by kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrSignInNeeded:
		return e.Kind == KindSignInNeeded
	case ErrTemporary:
		return e.Kind == KindTemporary
	}
	return false
}

// Detail returns the sentence followed by the technical cause, for logs.
func (e *Error) Detail() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + " (" + e.Err.Error() + ")"
}

func fail(kind Kind, msg string, cause error) *Error { return &Error{Kind: kind, Msg: msg, Err: cause} }

// KindOf returns the Kind of err, or KindOther when err is not (or does not wrap) an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// netFailure turns an error from http.Client.Do into a sentence; ctx is the request's context.
func netFailure(ctx context.Context, err error) *Error {
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var netErr net.Error
	switch {
	case ctx.Err() != nil:
		return fail(KindCanceled, "Referral Desk stopped waiting for the platform because the request was cancelled.", err)
	case errors.Is(err, errCrossHost):
		return fail(KindUnsafe, "The platform tried to send Referral Desk to a different server; for safety it was not followed.", err)
	case errors.Is(err, errTooLarge):
		return fail(KindPlatform, "The platform sent far more data than expected; Referral Desk stopped reading it.", err)
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return fail(KindUnsafe, "The platform's security certificate is not valid, so Referral Desk did not connect. Ask the platform to fix it.", err)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fail(KindTemporary, "The platform did not answer in time. Referral Desk will try again later; nothing was lost.", err)
	}
	return fail(KindTemporary, "Referral Desk could not reach the platform. Check the internet connection; nothing was lost.", err)
}
