package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/referraldesk/referraldesk/storage"
)

// DatabaseName is the SQLite file in the data folder.
const DatabaseName = "referraldesk.db"

// Open opens Referral Desk's data folder — its database and its log — and
// returns the App over them, wired the same way for the window and the
// command line. o.Store and o.Log are filled in here; Close closes both.
func Open(dir string, o Options) (*App, error) {
	if dir == "" {
		return nil, &Error{Op: "open the data folder", Kind: KindInvalid, Reason: ReasonNoDataFolder}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // the keyring knows a folder by its whole path
	}
	log, lf, err := OpenLog(dir)
	if err != nil {
		return nil, &Error{Op: "open the log", Kind: KindLocal, Reason: reasonDataFolder, Path: dir, Err: err}
	}
	path := filepath.Join(dir, DatabaseName)
	store, err := storage.Open(path, storeOptions(o.Now)...)
	if err != nil {
		log.Error("opening the database", "cause", err)
		lf.Close()
		return nil, &Error{Op: "open the database", Kind: KindLocal, Reason: reasonDataFolder, Path: dir, Err: err}
	}
	o.Store, o.Log = store, log
	a := New(o)
	a.closers = []func() error{func() error { return a.store.Close() }, lf.Close}
	a.logPath, a.dbPath = lf.path, path
	return a, nil
}

// storeOptions are how the app opens its database.
func storeOptions(now func() time.Time) []storage.Option {
	return []storage.Option{storage.WithClock(now), storage.WithRanks(ranks)}
}

func (a *App) storeOptions() []storage.Option { return storeOptions(a.now) }

// Close lets work in flight finish (a sign-in's tokens, a sync page, a token
// refresh that outlived its caller) for up to wait, then closes what Open
// opened. An App made by New closes nothing.
func (a *App) Close(wait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := a.Wait(ctx); err != nil {
		a.log.Warn("closing before work in flight finished", "cause", err)
	}
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c())
	}
	a.closers = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("app: close: %w", err)
	}
	return nil
}
