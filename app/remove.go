package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/storage"
)

// revokeWait bounds telling a platform to end the sign-in of a platform
// being removed: the removal goes on without it (offline, a slow platform).
const revokeWait = 15 * time.Second

// Removal is what removing a platform did.
type Removal struct {
	Source Source // as it was, with the changes that were waiting (now lost)
	// SignInLeft: the platform offers to end sign-ins (RFC 7009) but could
	// not be told to end this one (it could not be reached, or refused).
	// It ends there by itself when its tokens expire.
	SignInLeft bool
}

// RemovalWarning is what the window and the command line say before a
// platform is removed: what leaves this computer and, when changes made
// here were not sent yet (unsent), that they will be lost.
func RemovalWarning(name string, referrals, unsent int) string {
	say := fmt.Sprintf("Referral Desk will sign out of %s and delete its %s from this computer, with everything saved for it. "+
		"They stay on the platform; you can connect it again later.", name, Plural(referrals, "referral", "referrals"))
	if referrals == 0 {
		say = fmt.Sprintf("Referral Desk will sign out of %s and delete everything saved for it on this computer. "+
			"You can connect it again later.", name)
	}
	switch {
	case unsent == 1:
		say += " 1 change you made has not been sent to it yet and will be lost."
	case unsent > 1:
		say += fmt.Sprintf(" %d changes you made have not been sent to it yet and will be lost.", unsent)
	}
	return say
}

// Message says what a removal did, when there is more to say than that the
// platform is gone: "" when the sign-in was ended there too.
func (r Removal) Message() string {
	if !r.SignInLeft {
		return ""
	}
	return fmt.Sprintf("%s is removed from this computer. Referral Desk could not tell %s to end your sign-in there "+
		"(it could not be reached, or refused); the sign-in ends there by itself when it runs out.", r.Source.Name, r.Source.Name)
}

// Plural is n with the singular or plural words: "1 referral", "25
// referrals"; "1 change waits", "3 changes wait". The window, the command
// line and app's own sentences count with it.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// RemoveSource removes a platform (smart-client.md, "Removing a source"): it
// tells the platform to end the sign-in, revoking the refresh and the access
// token (RFC 7009, where the platform offers it; best effort, so a removal
// works offline), then deletes the platform's referrals, resources, queued
// changes, sync state and tokens from the file in one transaction, and
// scrubs the file so none of it stays readable there. Changes not sent yet
// are lost: ask first (RemovalWarning).
func (a *App) RemoveSource(ctx context.Context, id int64) (Removal, error) {
	defer a.lock(id)() // no sync or send of it runs meanwhile
	src, err := a.Source(ctx, id)
	if err != nil {
		return Removal{}, err
	}
	row, err := a.store.Source(ctx, id)
	if err != nil {
		return Removal{}, err
	}
	a.mu.Lock()
	s := a.sessions[id]
	a.mu.Unlock()
	if s != nil {
		// A refresh that outlived its caller saves its rotated token first:
		// that is the live one to revoke.
		if err := s.refresh.Wait(ctx); err != nil {
			return Removal{}, err
		}
	}
	a.forget(id)
	left, err := a.endSignIn(ctx, row)
	if err != nil {
		return Removal{}, err
	}
	err = a.store.DeleteSource(ctx, id)
	if errors.Is(err, storage.ErrNotScrubbed) {
		// Gone all the same; older copies are overwritten by later writes.
		a.log.Warn("a removed platform's data may linger in the file until later writes", "source", id, "cause", err.Error())
		err = nil
	}
	if err != nil {
		return Removal{}, err
	}
	a.forget(id) // one built meanwhile by a caller that does not take the lock
	return Removal{Source: src, SignInLeft: left}, nil
}

// endSignIn revokes the source's refresh token, then its access token, at
// the platform's revocation endpoint (nothing when it offers none). It
// reports whether a revocation the platform offers did not happen; the
// cause goes to the log. Only data that stays locked stops the removal:
// without the key the tokens cannot be read to revoke them.
func (a *App) endSignIn(ctx context.Context, src storage.Source) (left bool, err error) {
	if src.ClientID == "" {
		return false, nil // the platform forgot the client, and its tokens with it
	}
	tok, err := a.store.Tokens(ctx, src.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case errors.Is(err, storage.ErrLocked):
		return false, err
	case err != nil:
		a.log.Warn("a removed platform's tokens could not be read to revoke them", "source", src.ID, "cause", err.Error())
		return true, nil
	}
	var cfg auth.Config
	if err := json.Unmarshal(src.AuthConfig, &cfg); err != nil {
		a.log.Warn("a removed platform's sign-in settings could not be read to revoke its tokens", "source", src.ID, "cause", err.Error())
		return true, nil
	}
	rctx, cancel := context.WithTimeout(ctx, revokeWait)
	defer cancel()
	for _, t := range []struct{ token, hint string }{{tok.RefreshToken, "refresh_token"}, {tok.AccessToken, "access_token"}} {
		if err := auth.Revoke(rctx, a.hc, &cfg, src.ClientID, t.token, t.hint); err != nil {
			// auth's errors never hold a token.
			a.log.Warn("a removed platform was not told to end the sign-in", "source", src.ID, "token", t.hint, "cause", err.Error())
			left = true
		}
	}
	return left, nil
}
