package fhir

import (
	"errors"
	"net/http"
	"time"

	"github.com/referraldesk/referraldesk/fhir/wire"
)

// bodyKind classifies a failure to read an answer's body. One over the size
// limit is refused (KindBadResponse); any other never arrived whole — the
// connection was cut, or the platform trickled it past the request's time
// (IsSlow) — so nothing can be said of what it held: the platform could not
// be reached (KindOffline), and is tried again later.
func bodyKind(err error) Kind {
	if errors.Is(err, wire.ErrTooLarge) {
		return KindBadResponse
	}
	return KindOffline
}

// IsSlow reports an error of a platform that began to answer, then sent
// the rest so slowly that the request's time ran out.
func IsSlow(err error) bool { return errors.Is(err, wire.ErrSlow) }

// answeredAt is when the platform answered by its own clock (the Date
// header), so that a Retry-After date is read against the clock that wrote
// it, whatever this computer's clock says; time.Now when it gives none.
func answeredAt(resp *http.Response) time.Time {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return t
	}
	return time.Now()
}
