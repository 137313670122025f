package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// Options wires the app to what a test or main controls.
type Options struct {
	Store *storage.DB
	// HTTP is the base client for every platform (timeouts); nil = one with
	// a 60 s timeout over NewTransport.
	HTTP *http.Client
	// OpenBrowser opens a sign-in page in the system browser; nil = auth.OpenBrowser.
	OpenBrowser func(url string) error
	// Now is the clock; nil = time.Now.
	Now func() time.Time
	// SignInWait bounds how long a sign-in waits for the person; 0 = 5 minutes.
	SignInWait time.Duration
	// PageSize is the _count Referral Desk asks per search page; 0 = 200.
	PageSize int
	// Log receives the cause behind every message a case worker is shown
	// (App.Explain); nil = nowhere. Never a token, code or person's data.
	Log *slog.Logger
	// Keyring remembers the data key when the case worker asks; nil = none
	// (the passphrase is asked each time).
	Keyring Keyring
}

// idleConnsPerPlatform is how many idle connections to one platform the
// transport keeps: one for each request a sync has open at once, and one
// for a token refresh.
const idleConnsPerPlatform = RequestsInFlight + 1

// NewTransport returns the HTTP transport Referral Desk talks to platforms
// with: the default one, keeping idleConnsPerPlatform idle connections per
// platform instead of 2. With 2, a sync closed the connections past two
// after their request and dialled again for the next: 137 connections for
// the 302 requests of 10 000 referrals, against 6.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = idleConnsPerPlatform
	return t
}

// App is Referral Desk's behaviour, shared by the desktop window and the command line.
type App struct {
	store *storage.DB
	hc    *http.Client
	open  func(string) error
	now   func() time.Time
	wait  time.Duration
	page  int
	log   *slog.Logger
	// logPath is the log file Open opened, for the sentence that points to it.
	logPath string
	// closers close what Open opened, in order.
	closers []func() error
	// dbPath is the database Open opened, which SetUp encrypts in place.
	dbPath  string
	keyring Keyring
	// claimer names this App when it claims a change to send (the window
	// and a command line are each one).
	claimer string
	// progress is told how far each sync has come (WatchSync).
	progress atomic.Pointer[func(SyncProgress)]

	mu       sync.Mutex
	sessions map[int64]*session    // signed-in clients per source
	busy     map[int64]*sync.Mutex // one sync or send at a time per source
}

// New returns an App over an open store.
func New(o Options) *App {
	a := &App{store: o.Store, hc: o.HTTP, open: o.OpenBrowser, now: o.Now, wait: o.SignInWait, page: o.PageSize,
		log: o.Log, keyring: o.Keyring, claimer: newClaimer(), sessions: map[int64]*session{}, busy: map[int64]*sync.Mutex{}}
	if a.log == nil {
		a.log = DiscardLog()
	}
	if a.hc == nil {
		a.hc = &http.Client{Timeout: 60 * time.Second, Transport: NewTransport()}
	}
	if a.open == nil {
		a.open = auth.OpenBrowser
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.page <= 0 {
		a.page = 200
	}
	return a
}

// session is one source's signed-in FHIR client.
type session struct {
	src     Source
	cfg     *auth.Config
	fhir    *fhir.Client
	refresh *auth.Refresher

	capsMu sync.Mutex
	caps   *fhir.CapabilityStatement // read once per session (capabilities)
}

// capabilities is the platform's CapabilityStatement, read the first time a
// session needs it: real ones run to megabytes, and what a platform allows
// does not change within a sign-in. A failed read is tried again next time.
func (s *session) capabilities(ctx context.Context) (fhir.CapabilityStatement, error) {
	s.capsMu.Lock()
	defer s.capsMu.Unlock()
	if s.caps == nil {
		cs, err := s.fhir.Capabilities(ctx)
		if err != nil {
			return fhir.CapabilityStatement{}, err
		}
		s.caps = &cs
	}
	return *s.caps, nil
}

// lock serialises syncs and sends for one source.
func (a *App) lock(id int64) func() {
	a.mu.Lock()
	m, ok := a.busy[id]
	if !ok {
		m = &sync.Mutex{}
		a.busy[id] = m
	}
	a.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// session returns the signed-in client of a source, building it from the store.
func (a *App) session(ctx context.Context, id int64) (*session, error) {
	a.mu.Lock()
	s, ok := a.sessions[id]
	a.mu.Unlock()
	if ok {
		return s, nil
	}
	src, err := a.store.Source(ctx, id)
	if err != nil {
		return nil, err
	}
	var cfg auth.Config
	if err := json.Unmarshal(src.AuthConfig, &cfg); err != nil {
		return nil, &Error{Op: "sign in", Kind: KindDamaged, Reason: reasonSettingsDamaged, Platform: src.Name, Err: err}
	}
	tok, err := a.store.Tokens(ctx, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, &Error{Op: "sign in", Kind: KindSignInNeeded, Reason: reasonSignInAgain, Platform: src.Name, Err: err}
		}
		return nil, err
	}
	save := func(ctx context.Context, t auth.Token) error {
		return a.store.SaveTokens(ctx, id, storage.Tokens(t))
	}
	// A platform that rotates refresh tokens has spent the old one once it
	// answers a refresh: until the new one is saved, a crash loses the
	// sign-in. A fresh process's first save takes about 350 µs (code paged
	// in, statements prepared, the WAL opened), later ones 20 µs; saving the
	// tokens as they are now takes that cost out of the refresh. Best effort:
	// a full disk still lets the referrals be read.
	if err := save(ctx, auth.Token(tok)); err != nil {
		a.log.Warn("saving the tokens ahead of a refresh", "cause", err)
	}
	ref := auth.NewRefresher(&cfg, src.ClientID, a.hc, auth.Token(tok), save, a.now)
	fc, err := fhir.NewClient(src.FHIRBase, a.hc, ref)
	if err != nil {
		return nil, err
	}
	s = &session{src: sourceOf(src), cfg: &cfg, fhir: fc, refresh: ref}
	a.mu.Lock()
	a.sessions[id] = s
	a.mu.Unlock()
	return s, nil
}

// Wait returns once no token refresh is under way for any platform (so a
// rotated refresh token is saved), or when ctx ends. Call it before closing
// the store when quitting.
func (a *App) Wait(ctx context.Context) error {
	a.mu.Lock()
	var refs []*auth.Refresher
	for _, s := range a.sessions {
		refs = append(refs, s.refresh)
	}
	a.mu.Unlock()
	for _, r := range refs {
		if err := r.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// forget drops a cached session (after sign-in, on sign-in loss, on removal).
func (a *App) forget(id int64) {
	a.mu.Lock()
	delete(a.sessions, id)
	a.mu.Unlock()
}

// noteFailure records what a failed talk with a source means for its state.
func (a *App) noteFailure(ctx context.Context, id int64, err error) {
	state := SourceError
	switch KindOf(err) {
	case KindSignInNeeded:
		a.forget(id)
		state = SourceNeedsSignIn
		if errors.Is(err, auth.ErrClientUnknown) {
			a.clientForgotten(ctx, id, err)
			return
		}
	case KindOffline, KindTemporary, KindCanceled: // the platform, or the person, may say otherwise next time
		return
	}
	// The failure itself reaches the case worker through the caller; a state
	// that cannot be saved is only logged, and the next attempt says it again.
	// It is saved even when the caller gave up (a cancelled sync): the
	// platform's answer stands.
	if serr := a.store.SetSourceState(context.WithoutCancel(ctx), id, state.stored(), Explain(err)); serr != nil {
		a.log.Error("saving a platform's state", "source", id, "state", state, "cause", serr, "after", innermost(err))
	}
}
