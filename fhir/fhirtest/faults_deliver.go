package fhirtest

import (
	"bytes"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// recorder holds an answer so that a fault can change how it is sent. Its
// header is the real ResponseWriter's.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// answerFault answers r with the fault struck instead of the platform's
// answer: a server error, a 429, or a token endpoint outage.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, f Faults, fa fate) {
	in := Injection{Fault: fa.strike}
	switch fa.strike {
	case FaultServerError:
		in.Status = []int{500, 502, 503, 504}[fa.rng.IntN(4)]
		s.writeReply(w, outcomeReply(in.Status, "transient", "the platform had a fault of its own (injected); try again later"))
	case FaultThrottle:
		in.Status = http.StatusTooManyRequests
		if f.RetryAfter > 0 {
			secs := int64(math.Ceil(f.RetryAfter.Seconds()))
			v := strconv.FormatInt(secs, 10)
			if f.RetryAfterAsDate {
				v = s.now().Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat)
			}
			w.Header().Set("Retry-After", v)
		}
		s.writeReply(w, outcomeReply(in.Status, "throttled", "too many requests (injected); slow down"))
	case FaultTokenOutage:
		in.Status = http.StatusServiceUnavailable
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, in.Status, map[string]string{"error": "temporarily_unavailable",
			"error_description": "the sign-in service is down for a moment (injected)"})
	}
	s.record(r, in)
}

// deliver sends a held answer as the fate says: cut by a reset, trickled,
// padded past any sane size, or as it is.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, f Faults, fa fate, status int, body []byte) {
	switch {
	case fa.strike == FaultReset:
		s.record(r, Injection{Fault: FaultReset, Status: status})
		resetMidBody(w, status, body)
	case fa.strike == FaultTrickle:
		s.record(r, Injection{Fault: FaultTrickle, Status: status})
		trickle(w, r, status, body, f.TrickleFor)
	case fa.oversize && isSearchPage(body):
		s.record(r, Injection{Fault: FaultOversize, Status: status})
		oversize(w, status, body, f.OversizeBytes, f.OversizeDeclared)
	default:
		if len(body) > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(status)
		w.Write(body)
	}
}

// resetMidBody sends the status, the headers and half the body, then resets
// the connection (RST): the client has read a part of an answer that
// promised more.
func resetMidBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body[:len(body)/2])
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server drops the connection
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// trickleSteps is how many pieces a trickled body arrives in.
const trickleSteps = 30

// trickle sends the headers at once, then the body in pieces spread over
// d, until the client gives up.
func trickle(w http.ResponseWriter, r *http.Request, status int, body []byte, d time.Duration) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	rc.Flush()
	steps := min(trickleSteps, len(body))
	for i := range steps {
		if !pause(r.Context(), d/time.Duration(steps)) {
			return
		}
		if _, err := w.Write(body[i*len(body)/steps : (i+1)*len(body)/steps]); err != nil {
			return
		}
		rc.Flush()
	}
}

// blanks pad an oversized page, 64 KiB at a time.
var blanks = bytes.Repeat([]byte{' '}, 64<<10)

// oversize sends a page padded with blanks before its closing brace to
// size bytes, streaming the padding; declared says the size up front.
func oversize(w http.ResponseWriter, status int, body []byte, size int64, declared bool) {
	end := bytes.LastIndexByte(body, '}')
	pad := size - int64(len(body))
	if end < 0 || pad <= 0 {
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	if declared {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	} else {
		w.Header().Del("Content-Length")
	}
	w.WriteHeader(status)
	if _, err := w.Write(body[:end]); err != nil {
		return
	}
	for pad > 0 {
		n, err := w.Write(blanks[:min(pad, int64(len(blanks)))])
		if err != nil {
			return
		}
		pad -= int64(n)
	}
	w.Write(body[end:])
}
