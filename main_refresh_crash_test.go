package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// refreshLossBefore is the sign-in loss rate issue 20 measured before the
// rotated refresh token was saved the moment the token answer arrives
// (auth/rotation.go): 6 of 48 kills during a refresh, with no added delay.
// The old code cannot run here, so the figure is quoted, not measured.
const refreshLossBefore = "6 of 48 kills (12.5 %)"

// A sync that must refresh first (the platform expired every access token
// and rotates refresh tokens, treating a rotated one presented again as
// theft), killed at a random point after its token request reached the
// platform: a clean sync afterwards still works without a new sign-in, and
// the folder agrees with the platform. The share of kills that lost the
// sign-in is printed beside the figure from before the fix.
func TestCrashDuringRefresh(t *testing.T) {
	r := newCrashRig(t, 60)
	refresh := &refreshKiller{}
	r.platform.SetFault(refresh.observe)
	t.Cleanup(func() { r.platform.SetFault(nil) })

	dir := r.connected()
	r.run(dir, "sync")
	// The span kills are drawn from: twice the time from the token request
	// to the next FHIR request (the refresh's answer read, its token saved
	// and used) in a sync nobody kills, so about half the kills land inside
	// the refresh and half just after it.
	r.platform.ExpireAccessTokens()
	refresh.arm(nil, 0)
	r.run(dir, "sync")
	window := refresh.window()
	if window <= 0 {
		t.Fatal("the sync after ExpireAccessTokens made no token request followed by a FHIR request: it did not refresh")
	}
	span := 2 * window

	var c tally
	lost, inside := 0, 0
	for round := 1; c.kills < chaosKills(); round++ {
		if round > 3*chaosKills() {
			t.Fatalf("only %d kills in %d rounds (span %v)", c.kills, round, span)
		}
		r.platform.ExpireAccessTokens()
		killed, afterUse := r.refreshKilledRun(dir, refresh, span)
		if killed {
			c.kills++
			if !afterUse {
				inside++
			}
		}
		out, err := r.command(dir, "sync").CombinedOutput()
		if err != nil {
			if state := sourceState(t, dir); state != "needs-sign-in" {
				t.Fatalf("sync after a kill during a refresh failed, the source is %q, not waiting for a sign-in: %v\n%s", state, err, out)
			}
			lost++
			if afterUse {
				// The refreshed token is saved before it is used: a kill
				// after its first use must find it on disk.
				c.lost++
				t.Errorf("the sign-in was lost by a kill after the refreshed access token was used: the rotated refresh token was not saved first\n%s", out)
			}
			dir = r.connected() // sign in again, in a new folder, for the next rounds
			r.run(dir, "sync")
		}
		r.check(dir, &c)
	}
	// Kills are drawn around the refresh, not over the whole sync, so the
	// rate is not comparable with the issue's; the refresh's length (token
	// request to the new token's first use, a kill before its save loses the
	// sign-in whatever the client does) is what the fix shortens.
	fmt.Printf("crash suite refresh: kills %d, sign-in lost %d (%.1f %%); %d of the kills struck inside the refresh "+
		"(%v from token request to first use), the rest just after it; before the fix, issue 20's figure (not re-run; its kill placement is not known): %s\n",
		c.kills, lost, 100*float64(lost)/float64(max(c.kills, 1)), inside, window.Round(10*time.Microsecond), refreshLossBefore)
	report(t, "refresh", c)
}

// refreshKilledRun runs a sync and kills it after a delay drawn from
// [0, span) counted from the moment its token request reached the platform.
// It reports whether the kill struck, and whether it struck after the sync
// had used the refreshed access token.
func (r *crashRig) refreshKilledRun(dir string, refresh *refreshKiller, span time.Duration) (killed, afterUse bool) {
	r.t.Helper()
	cmd := r.command(dir, "sync")
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	refresh.arm(func() { cmd.Process.Kill() }, time.Duration(r.rng.Int64N(int64(span))))
	cmd.Wait()
	afterUse = refresh.disarm()
	ws, isWS := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return isWS && ws.Signaled() && ws.Signal() == syscall.SIGKILL, afterUse
}

// refreshKiller watches the platform's requests (Server.SetFault, never
// answering itself): at a sync's token request it starts the kill timer, and
// it times the refresh from the token request to the next FHIR request.
type refreshKiller struct {
	mu        sync.Mutex
	kill      func() // nil: only time the refresh
	delay     time.Duration
	timer     *time.Timer
	tokenAt   time.Time
	refreshed time.Duration // token request → next FHIR request; 0 until seen
	afterUse  bool          // the kill fired after that FHIR request
}

func (k *refreshKiller) arm(kill func(), delay time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.kill, k.delay, k.tokenAt, k.refreshed, k.afterUse = kill, delay, time.Time{}, 0, false
}

// disarm stops the kill timer and reports whether the kill fired after the
// refreshed access token was first used.
func (k *refreshKiller) disarm() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil {
		k.timer.Stop()
	}
	k.kill, k.timer = nil, nil
	return k.afterUse
}

// fire notes where the refresh was when the kill fired, then kills.
func (k *refreshKiller) fire() {
	k.mu.Lock()
	k.afterUse = k.refreshed != 0
	kill := k.kill
	k.mu.Unlock()
	if kill != nil {
		kill()
	}
}

func (k *refreshKiller) window() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.refreshed
}

func (k *refreshKiller) observe(_ http.ResponseWriter, req *http.Request) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case req.Method == http.MethodPost && req.URL.Path == "/auth/token":
		if k.tokenAt.IsZero() {
			k.tokenAt = time.Now()
			if k.kill != nil {
				k.timer = time.AfterFunc(k.delay, k.fire)
			}
		}
	case !k.tokenAt.IsZero() && k.refreshed == 0 && req.URL.Path != "/auth/token":
		k.refreshed = time.Since(k.tokenAt)
	}
	return false
}

// sourceState is the state of the folder's one source.
func sourceState(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "referraldesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var state string
	if err := db.QueryRow("SELECT state FROM sources").Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}
