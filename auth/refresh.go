package auth

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// refreshMargin: refresh this long before expiry (smart-client.md: ≥60 s).
const refreshMargin = 60 * time.Second

// refreshTimeout bounds one refresh including Save. A refresh runs to completion even when every caller
// gave up: a rotated refresh token must be saved, or the grant is lost.
const refreshTimeout = 2 * time.Minute

// Refresher keeps one source's access token fresh. It satisfies the fhir package's token interface
// (AccessToken, Refresh). At most one refresh runs at a time; every caller waiting on it gets its result.
type Refresher struct {
	cfg      *Config
	clientID string
	hc       *http.Client
	save     func(context.Context, Token) error
	now      func() time.Time
	flight   singleflight.Group

	mu      sync.Mutex
	tok     Token
	unsaved *Token        // a refreshed token whose Save failed: saved before anything else, never handed out before
	running int           // refreshes under way
	idle    chan struct{} // closed when running drops to zero
}

// NewRefresher returns a Refresher for tok. save persists a refreshed token (the rotated refresh token with
// its access token) and must succeed before the new access token is used (nil: nothing is saved).
// now defaults to time.Now.
func NewRefresher(cfg *Config, clientID string, hc *http.Client, tok Token, save func(context.Context, Token) error, now func() time.Time) *Refresher {
	if now == nil {
		now = time.Now
	}
	if save == nil {
		save = func(context.Context, Token) error { return nil }
	}
	return &Refresher{cfg: cfg, clientID: clientID, hc: hc, tok: tok, save: save, now: now}
}

// Token returns a copy of the current token.
func (r *Refresher) Token() Token {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tok
}

// AccessToken returns an access token, refreshing first when it expires within 60 s. A token of unknown
// expiry is used until the platform answers 401 (then the caller calls Refresh).
func (r *Refresher) AccessToken(ctx context.Context) (string, error) {
	t := r.Token()
	if r.fresh(t) {
		return t.AccessToken, nil
	}
	return r.refresh(ctx, t.AccessToken)
}

// Refresh is called after the platform answered 401 to stale: it refreshes, unless the current access token
// already differs from stale (someone else refreshed meanwhile) and is fresh.
func (r *Refresher) Refresh(ctx context.Context, stale string) (string, error) {
	return r.refresh(ctx, stale)
}

func (r *Refresher) fresh(t Token) bool {
	return t.AccessToken != "" && (t.Expiry.IsZero() || t.Expiry.After(r.now().Add(refreshMargin)))
}

func (r *Refresher) refresh(ctx context.Context, stale string) (string, error) {
	// Counted before the flight starts, not inside it, so that a Wait
	// between the two does not miss a refresh about to save a new token.
	r.begin()
	ch := r.flight.DoChan("refresh", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		// Named here, inside the flight: every caller shares the error it returns.
		at, err := r.refreshOnce(fctx, stale)
		during("refresh", &err)
		return at, err
	})
	select {
	case res := <-ch:
		r.end()
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	case <-ctx.Done():
		// The refresh goes on (bounded by refreshTimeout) and stays counted
		// until it ends, so Wait still waits for its token to be saved.
		go func() { <-ch; r.end() }()
		return "", &Error{Kind: KindCanceled, Op: "refresh", Reason: reasonCanceled, Err: ctx.Err()}
	}
}

func (r *Refresher) begin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == 0 {
		r.idle = make(chan struct{})
	}
	r.running++
}

func (r *Refresher) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running--; r.running == 0 {
		close(r.idle)
	}
}

// Wait returns once no refresh is under way, or when ctx ends. A refresh
// outlives the callers that gave up on it so that a rotated refresh token is
// saved; a program that quits waits here first, or the next start would
// present the old token and strict servers would revoke the grant.
func (r *Refresher) Wait(ctx context.Context) error {
	r.mu.Lock()
	if r.running == 0 {
		r.mu.Unlock()
		return nil
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refreshOnce runs inside the single flight.
func (r *Refresher) refreshOnce(ctx context.Context, stale string) (string, error) {
	r.mu.Lock()
	cur, unsaved := r.tok, r.unsaved
	r.mu.Unlock()
	if unsaved != nil { // the last refresh's Save failed: its (possibly rotated) refresh token is the live one
		if err := r.keep(ctx, *unsaved); err != nil {
			return "", err
		}
		cur = *unsaved
	}
	if cur.AccessToken != stale && r.fresh(cur) {
		return cur.AccessToken, nil
	}
	if r.cfg == nil || r.cfg.TokenEndpoint == "" {
		return "", fail(KindLocal, reasonNoConfig, nil)
	}
	if cur.RefreshToken == "" {
		return "", fail(KindSignInNeeded, reasonSignInEnded, nil)
	}
	// A rotated refresh token is the only live one from the moment the
	// answer arrives: it is kept first, spent (no access token yet), so that
	// whatever happens next — a crash, an answer refused below — the next
	// refresh sends it rather than the old one a strict server revokes the
	// grant for. A failed save leaves it pending (keep), saved before
	// anything else next time.
	hc := catchRotation(r.hc, func(rotated string) {
		if rotated != cur.RefreshToken {
			spent := cur
			spent.AccessToken, spent.RefreshToken, spent.Expiry = "", rotated, time.Unix(1, 0)
			r.keep(ctx, spent)
		}
	})
	// The seed has no access token and a past expiry, so the source refreshes at once.
	seed := &oauth2.Token{RefreshToken: cur.RefreshToken, Expiry: time.Unix(1, 0)}
	src := savingSource{
		next: oauthConfig(r.cfg, r.clientID, "", nil).TokenSource(tokenContext(ctx, hc), seed),
		save: func(t *oauth2.Token) error {
			tok, err := fromOAuth2(t, r.now())
			if err != nil { // its rotated refresh token, if any, is kept already
				return err
			}
			// x/oauth2 already keeps the refresh token it sent when none came back (not rotated).
			if tok.IDToken == "" {
				tok.IDToken = cur.IDToken
			}
			if tok.Scope == "" {
				tok.Scope = cur.Scope
			}
			return r.keep(ctx, tok)
		},
	}
	t, err := src.Token()
	var e *Error
	if errors.As(err, &e) { // keep could not save
		return "", e
	}
	if err != nil {
		return "", tokenFailure(ctx, err, true, cur.RefreshToken)
	}
	return t.AccessToken, nil
}

// savingSource is an oauth2.TokenSource that saves every token from next before handing it out. x/oauth2 has
// no hook for a rotated refresh token, and strict servers revoke the whole grant when the old one comes back,
// so the new one must be saved before its access token is used (smart-client.md).
type savingSource struct {
	next oauth2.TokenSource
	save func(*oauth2.Token) error
}

func (s savingSource) Token() (*oauth2.Token, error) {
	t, err := s.next.Token()
	if err != nil {
		return nil, err
	}
	if err := s.save(t); err != nil {
		return nil, err
	}
	return t, nil
}

// keep saves tok and only then makes it current; on failure tok stays pending for the next attempt.
func (r *Refresher) keep(ctx context.Context, tok Token) error {
	if err := r.save(ctx, tok); err != nil {
		r.mu.Lock()
		r.unsaved = &tok
		r.mu.Unlock()
		return fail(KindLocal, reasonSaveFailed, err)
	}
	r.mu.Lock()
	r.tok, r.unsaved = tok, nil
	r.mu.Unlock()
	return nil
}
