package fhir

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies what went wrong talking to a FHIR server, so the app can
// turn it into a sentence a case worker understands (app.Explain) while logs
// keep the detail.
type Kind int

// Kinds of failure.
const (
	KindOther        Kind = iota
	KindOffline           // the server could not be reached
	KindUnauthorized      // 401 even after a token refresh, or no token could be had
	KindForbidden         // 403: the platform does not allow it
	KindNotFound          // 404
	KindGone              // 410: deleted on the platform
	KindConflict          // 412: someone else changed it first
	KindInvalid           // 400/422: the platform rejected the request
	KindRateLimited       // 429
	KindServer            // 5xx
	KindBadResponse       // the answer was not valid FHIR (or too large)
	KindRefused           // the client refused to follow something unsafe (off-origin link, cycle)
)

var kindText = map[Kind]string{
	KindOther:        "failed",
	KindOffline:      "server unreachable",
	KindUnauthorized: "not authorized",
	KindForbidden:    "forbidden",
	KindNotFound:     "not found",
	KindGone:         "deleted",
	KindConflict:     "changed on the server",
	KindInvalid:      "rejected",
	KindRateLimited:  "rate limited",
	KindServer:       "server error",
	KindBadResponse:  "invalid response",
	KindRefused:      "refused",
}

func (k Kind) String() string { return kindText[k] }

// Error is a failed FHIR interaction.
type Error struct {
	Op         string        // e.g. "search Task", "update Task/123"
	Kind       Kind          //
	Status     int           // HTTP status, 0 when none
	Outcome    string        // the server's OperationOutcome text, if any
	RetryAfter time.Duration // for KindRateLimited, when the server said
	Err        error         // underlying cause
}

func (e *Error) Error() string {
	s := e.Op + ": " + e.Kind.String()
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Outcome != "" {
		s += ": " + e.Outcome
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of a FHIR error anywhere in err's chain, or KindOther.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return KindOther
}

// OutcomeOf returns the server's explanation carried by err, or "".
func OutcomeOf(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Outcome
	}
	return ""
}

func kindForStatus(code int) Kind {
	switch {
	case code == http.StatusUnauthorized:
		return KindUnauthorized
	case code == http.StatusForbidden:
		return KindForbidden
	case code == http.StatusNotFound:
		return KindNotFound
	case code == http.StatusGone:
		return KindGone
	case code == http.StatusPreconditionFailed, code == http.StatusConflict:
		return KindConflict
	case code == http.StatusTooManyRequests:
		return KindRateLimited
	case code >= 500:
		return KindServer
	case code >= 400:
		return KindInvalid
	}
	return KindBadResponse
}
