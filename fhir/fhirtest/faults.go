package fhirtest

import (
	"bytes"
	"context"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults switches on what real platforms do when loaded or broken, for tests
// of how a client survives it and for trials by hand (referraldesk
// demo-platform --faults, ParseFaults). The zero value injects nothing.
//
// Faults strike the FHIR API (requests under /fhir that carry an access
// token) and, for TokenOutageRate, the token endpoint. Discovery, /metadata
// without a token and the sign-in pages always answer well, so a client can
// connect. Rates are shares from 0 to 1.
//
// A request's fate depends only on Seed, the request (method, path, query
// without the id of a paged search, body) and how many times the same
// request came before, so concurrent requests meet the same faults in every
// run whatever order they arrive in.
type Faults struct {
	Seed uint64 // seeds math/rand/v2's PCG; 0 means 1

	Latency time.Duration // added before every answer
	Jitter  time.Duration // plus a random extra from 0 up to this

	// At most one of these strikes a request: ServerErrorRate first, then
	// ThrottleRate, ResetRate and TrickleRate, which add up to 1 at most.
	ServerErrorRate float64 // answered 500, 502, 503 or 504 with an OperationOutcome
	ThrottleRate    float64 // answered 429 Too Many Requests
	ResetRate       float64 // the connection is reset halfway through the answer's body
	TrickleRate     float64 // the body arrives in small pieces over TrickleFor

	RetryAfter       time.Duration // a 429's Retry-After, in whole seconds; 0 = none
	RetryAfterAsDate bool          // send Retry-After as an HTTP date by the platform's clock
	TrickleFor       time.Duration // how long a trickled body takes; 0 = 90 s, past a client's minute

	MalformedRate    float64 // share of resources sent with meta as a string: unreadable
	DuplicateKeyRate float64 // share of resources sent with their id given twice, the first one false

	OversizeRate     float64 // share of search pages padded with blanks to OversizeBytes
	OversizeBytes    int64   // 0 = 1 GiB; the padding is streamed, never held in memory
	OversizeDeclared bool    // say the padded size in Content-Length (else the page is chunked)

	TokenOutageRate float64 // share of token requests answered 503 temporarily_unavailable

	// RequesterEditRate is the share of Task search pages after which the
	// requester edits one of the page's Tasks (EditNote): a sync meets a
	// referral that changed while it was being read.
	RequesterEditRate float64
}

// on reports whether f injects anything.
func (f Faults) on() bool { return f != Faults{Seed: f.Seed} }

func (f Faults) withDefaults() Faults {
	if f.Seed == 0 {
		f.Seed = 1
	}
	if f.TrickleFor <= 0 {
		f.TrickleFor = 90 * time.Second
	}
	if f.OversizeBytes <= 0 {
		f.OversizeBytes = 1 << 30
	}
	return f
}

// Fault names a fault in the platform's record (Injected).
type Fault string

// The faults Faults injects; latency is not recorded.
const (
	FaultServerError   Fault = "server error"
	FaultThrottle      Fault = "throttle"
	FaultReset         Fault = "reset"
	FaultTrickle       Fault = "trickle"
	FaultMalformed     Fault = "malformed"
	FaultDuplicateKey  Fault = "duplicate key"
	FaultOversize      Fault = "oversize"
	FaultTokenOutage   Fault = "token outage"
	FaultRequesterEdit Fault = "requester edit"
)

// Injection is one fault the platform injected.
type Injection struct {
	Fault  Fault
	Method string
	Path   string    // of the request it struck
	Time   time.Time // by the platform's clock
	Status int       // the status answered: server errors, throttles, token outages
	Ref    string    // the resource it damaged or edited ("Task/123")
}

// faultBox is a Server's faults and its record of what they did.
type faultBox struct {
	state atomic.Pointer[faultState] // nil: no faults

	mu       sync.Mutex
	injected []Injection
}

// faultState is one Faults in force, with how often each request was seen.
type faultState struct {
	f    Faults
	mu   sync.Mutex
	seen map[uint64]uint64
}

// SetFaults puts f in force from the next request on (the zero Faults turns
// them off). Each call starts the count of requests seen anew.
func (s *Server) SetFaults(f Faults) {
	if !f.on() {
		s.faults.state.Store(nil)
		return
	}
	s.faults.state.Store(&faultState{f: f.withDefaults(), seen: map[uint64]uint64{}})
}

// Injected lists the faults injected so far, oldest first.
func (s *Server) Injected() []Injection {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return slices.Clone(s.faults.injected)
}

func (s *Server) record(r *http.Request, in Injection) {
	in.Method, in.Path, in.Time = r.Method, r.URL.Path, s.now()
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.injected = append(s.faults.injected, in)
}

// fate is what the faults do to one request.
type fate struct {
	rng      *rand.Rand // the request's own: per-resource choices draw from it
	delay    time.Duration
	strike   Fault // a server error, throttle, token outage, reset or trickle; "" = none
	oversize bool  // pad the answer if it is a search page
	edit     bool  // edit a Task of the answer if it is a Task search page
	damage   bool  // resources may be malformed or given a duplicate key
}

// buffered reports whether the answer must be held before it is sent.
func (fa fate) buffered() bool {
	return fa.strike == FaultReset || fa.strike == FaultTrickle || fa.oversize || fa.edit || fa.damage
}

// withFaults wraps next with the faults of Options.Faults, which SetFaults
// changes: the one place where faults are injected.
func (s *Server) withFaults(next http.Handler) http.Handler {
	s.SetFaults(s.opts.Faults)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := s.faults.state.Load()
		if st == nil {
			next.ServeHTTP(w, r)
			return
		}
		fa := st.fateOf(r)
		if !pause(r.Context(), fa.delay) {
			return
		}
		switch fa.strike {
		case FaultServerError, FaultThrottle, FaultTokenOutage:
			s.answerFault(w, r, st.f, fa)
			return
		}
		if !fa.buffered() {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if fa.damage {
			body = s.damage(r, st.f, fa.rng, body)
		}
		s.deliver(w, r, st.f, fa, rec.status, body)
		if fa.edit {
			s.editDuringSync(r, fa.rng, body)
		}
	})
}

// fateOf draws the fate of r from its own random source.
func (st *faultState) fateOf(r *http.Request) fate {
	f := st.f
	fa := fate{rng: st.rngFor(r), delay: f.Latency}
	if f.Jitter > 0 {
		fa.delay += time.Duration(fa.rng.Int64N(int64(f.Jitter)))
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/auth/token":
		if fa.rng.Float64() < f.TokenOutageRate {
			fa.strike = FaultTokenOutage
		}
	case isAPIRequest(r):
		u := fa.rng.Float64()
		for _, c := range []struct {
			rate  float64
			fault Fault
		}{{f.ServerErrorRate, FaultServerError}, {f.ThrottleRate, FaultThrottle}, {f.ResetRate, FaultReset}, {f.TrickleRate, FaultTrickle}} {
			if u < c.rate {
				fa.strike = c.fault
				break
			}
			u -= c.rate
		}
		fa.oversize = fa.rng.Float64() < f.OversizeRate
		fa.edit = fa.rng.Float64() < f.RequesterEditRate
		fa.damage = f.MalformedRate > 0 || f.DuplicateKeyRate > 0
	}
	return fa
}

// isAPIRequest: a FHIR API request made with a token.
func isAPIRequest(r *http.Request) bool {
	return (r.URL.Path == "/fhir" || strings.HasPrefix(r.URL.Path, "/fhir/")) && r.Header.Get("Authorization") != ""
}

// rngFor returns r's random source: seeded by the faults' Seed, a hash of
// the request, and how many times the same request was seen before.
func (st *faultState) rngFor(r *http.Request) *rand.Rand {
	h := fnv.New64a()
	io.WriteString(h, r.Method+" "+r.URL.Path+"?"+stableQuery(r.URL.Query()))
	if isAPIRequest(r) && r.Body != nil && r.Body != http.NoBody {
		// Read and put back: batches and updates are told apart by their bodies.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.Write(body)
	}
	key := h.Sum64()
	st.mu.Lock()
	n := st.seen[key]
	st.seen[key]++
	st.mu.Unlock()
	return rand.New(rand.NewPCG(st.f.Seed, key^(n*0x9e3779b97f4a7c15)))
}

// stableQuery is q without the random id of a paged search's snapshot.
func stableQuery(q url.Values) string {
	q.Del("_getpages")
	return q.Encode()
}

// pause waits d, or until the client goes away (false).
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
