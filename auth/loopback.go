package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// callback is what the browser brought back to the redirect URI.
type callback struct {
	code, errCode, errDesc, iss string
	reply                       chan bool // the flow's outcome: true shows the success page
}

// loopback is the one-shot redirect listener of one sign-in (RFC 8252 §7.3): on 127.0.0.1 only, answering
// one path with one state, once. Everything else gets 404 or 400 without ending the sign-in.
type loopback struct {
	path, state string
	port        int
	calls       chan callback
	done        chan struct{} // closed when the sign-in is over
	srv         *http.Server
	served      chan struct{} // closed when Serve has returned

	mu     sync.Mutex
	idle   *sync.Cond // signalled when active drops to 0
	used   bool       // the state was presented once: later requests are replays
	closed bool
	active int // handlers running
}

func listenLoopback(ctx context.Context, port int, path, state string) (*loopback, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if port != 0 {
			return nil, &Error{Kind: KindLocal, Reason: reasonPortInUse, Port: port, Err: err}
		}
		return nil, fail(KindLocal, reasonListen, err)
	}
	l := &loopback{
		path: path, state: state, port: ln.Addr().(*net.TCPAddr).Port,
		calls: make(chan callback), done: make(chan struct{}), served: make(chan struct{}),
	}
	l.idle = sync.NewCond(&l.mu)
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() {
		defer close(l.served)
		l.srv.Serve(ln)
	}()
	return l, nil
}

// close ends the listener and returns once no goroutine of it runs this package's code any more.
func (l *loopback) close() {
	close(l.done)
	// Shutdown lets the handler finish writing the result page; Close cuts idle pre-connections short.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if l.srv.Shutdown(ctx) != nil {
		l.srv.Close()
	}
	<-l.served
	l.mu.Lock()
	l.closed = true
	for l.active > 0 {
		l.idle.Wait()
	}
	l.mu.Unlock()
}

func (l *loopback) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.active++
	return true
}

func (l *loopback) leave() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active--; l.active == 0 {
		l.idle.Broadcast()
	}
}

// claim marks the state as used; it reports false for a replay.
func (l *loopback) claim() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.used {
		return false
	}
	l.used = true
	return true
}

func (l *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !l.enter() {
		page(w, http.StatusServiceUnavailable, pageFailed)
		return
	}
	defer l.leave()
	if r.URL.Path != l.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	for _, k := range []string{"state", "code", "iss", "error"} {
		if len(q[k]) > 1 { // ambiguous: which one would the server have meant?
			page(w, http.StatusBadRequest, pageStranger)
			return
		}
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(l.state)) != 1 {
		page(w, http.StatusBadRequest, pageStranger)
		return
	}
	if !l.claim() {
		page(w, http.StatusBadRequest, pageReplay)
		return
	}
	cb := callback{code: q.Get("code"), errCode: q.Get("error"), errDesc: q.Get("error_description"), iss: q.Get("iss"), reply: make(chan bool, 1)}
	select {
	case l.calls <- cb:
	case <-l.done:
		page(w, http.StatusBadRequest, pageFailed)
		return
	}
	select {
	case ok := <-cb.reply:
		if ok {
			page(w, http.StatusOK, pageSignedIn)
			return
		}
	case <-l.done:
	}
	page(w, http.StatusBadRequest, pageFailed)
}

// The pages are static: nothing from the request is echoed into them.
const (
	pageSignedIn = "You are signed in; you can close this tab and return to Referral Desk."
	pageFailed   = "The sign-in did not complete. Close this tab and return to Referral Desk to see why."
	pageStranger = "This page does not belong to the sign-in Referral Desk is waiting for. Close this tab and return to Referral Desk."
	pageReplay   = "This sign-in was already used. Close this tab and return to Referral Desk."
)

func page(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>Referral Desk</title><p style=\"font:1.2em sans-serif;margin:3em\">%s</p>\n", text)
}
