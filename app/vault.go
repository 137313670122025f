package app

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/referraldesk/referraldesk/storage"
	"github.com/referraldesk/referraldesk/storage/keys"
)

// Protection is how a data folder's data is protected right now.
type Protection int

const (
	// Unprotected: no passphrase yet (a new folder, or one from a release
	// before encryption at rest). Nothing may be read until SetUp.
	Unprotected Protection = iota
	// Locked: encrypted, and its key is not in memory (Unlock).
	Locked
	// Unlocked: encrypted, and open.
	Unlocked
)

// Keyring remembers a data folder's key on this computer, in the system's
// keyring (Secret Service, Keychain, Credential Manager), when the case
// worker asks Referral Desk to: the data key only, never a token.
type Keyring interface {
	// Get returns the key remembered for folder; ErrNotRemembered if none.
	Get(folder string) ([]byte, error)
	Set(folder string, key []byte) error
	// Delete forgets the key; forgetting one never remembered is no error.
	Delete(folder string) error
}

// ErrNotRemembered: the keyring holds no key for the folder.
var ErrNotRemembered = errors.New("no key remembered for this data folder")

// Protection says whether the data folder is protected, and open.
func (a *App) Protection(ctx context.Context) Protection {
	switch {
	case a.store.Locked():
		return Locked
	case a.encrypted(ctx):
		return Unlocked
	}
	return Unprotected
}

func (a *App) encrypted(ctx context.Context) bool {
	_, err := a.store.Vault(ctx)
	return err == nil
}

// SetUp protects an unprotected data folder with a passphrase: it encrypts
// what is stored (in one step a crash cannot leave half done) and returns
// the recovery key, which the case worker must print or save: without the
// passphrase or it, the data cannot be read. remember keeps the key in the
// keyring too.
func (a *App) SetUp(ctx context.Context, passphrase string, remember bool) (recoveryKey string, err error) {
	const op = "protect the data"
	if err := CheckPassphrase(passphrase); err != nil {
		return "", err
	}
	if a.dbPath == "" || a.encrypted(ctx) {
		return "", &Error{Op: op, Kind: KindInvalid, Reason: reasonProtectedAlready}
	}
	key, err := keys.NewDataKey()
	if err != nil {
		return "", &Error{Op: op, Kind: KindInternal, Err: err}
	}
	if recoveryKey, err = keys.NewRecoveryKey(); err != nil {
		return "", &Error{Op: op, Kind: KindInternal, Err: err}
	}
	v, err := keys.NewVault(key, passphrase, recoveryKey)
	if err != nil {
		return "", &Error{Op: op, Kind: KindInternal, Err: err}
	}
	if err := a.reopen(func() error { return storage.EncryptFile(ctx, a.dbPath, key, v, a.storeOptions()...) }, key); err != nil {
		return "", &Error{Op: op, Kind: KindLocal, Reason: reasonNotProtected, Path: filepath.Dir(a.dbPath), Err: err}
	}
	a.remember(remember, key)
	return recoveryKey, nil
}

// reopen closes the store, runs change on its closed file, and opens it
// again with key, whether change worked or not.
func (a *App) reopen(change func() error, key []byte) error {
	if err := a.store.Close(); err != nil {
		return err
	}
	err := change()
	opts := a.storeOptions()
	if err == nil {
		opts = append(opts, storage.WithDataKey(key))
	}
	store, oerr := storage.Open(a.dbPath, opts...)
	if oerr != nil {
		return errors.Join(err, oerr)
	}
	a.store = store
	return err
}

// Unlock opens the data with the passphrase, or with the recovery key (for
// a forgotten passphrase: then set a new one with ChangePassphrase, which
// the recovery key also allows). remember keeps the key in the keyring;
// false forgets one kept before.
func (a *App) Unlock(ctx context.Context, secret string, remember bool) error {
	key, err := a.unwrap(ctx, secret)
	if err != nil {
		return err
	}
	if err := a.store.Unlock(ctx, key); err != nil {
		return a.lockError(err)
	}
	a.remember(remember, key)
	return nil
}

// UnlockFromKeyring opens the data with the key the keyring remembers for
// this folder; false when it remembers none (ask for the passphrase).
func (a *App) UnlockFromKeyring(ctx context.Context) (bool, error) {
	if a.keyring == nil || a.dbPath == "" {
		return false, nil
	}
	key, err := a.keyring.Get(filepath.Dir(a.dbPath))
	if errors.Is(err, ErrNotRemembered) {
		return false, nil
	}
	if err != nil {
		a.log.Warn("reading the keyring", "cause", err)
		return false, nil // the passphrase still opens it
	}
	if err := a.store.Unlock(ctx, key); err != nil {
		// A key for another (older) file of this folder: forget it.
		a.log.Warn("the keyring's key does not open this data", "cause", err)
		a.keyring.Delete(filepath.Dir(a.dbPath))
		return false, nil
	}
	return true, nil
}

// unwrap returns the data key the passphrase or the recovery key opens.
// Argon2id works in 128 MiB of memory, which is given back to the system at
// once rather than when the runtime gets round to it: the window's resident
// memory otherwise kept it.
func (a *App) unwrap(ctx context.Context, secret string) ([]byte, error) {
	v, err := a.store.Vault(ctx)
	if err != nil {
		return nil, a.lockError(err)
	}
	defer debug.FreeOSMemory()
	key, err := keys.Unwrap(v.Passphrase, secret)
	if errors.Is(err, keys.ErrWrongSecret) {
		if rk, perr := keys.ParseRecoveryKey(secret); perr == nil {
			key, err = keys.Unwrap(v.Recovery, rk)
		}
	}
	if err != nil {
		return nil, a.lockError(err)
	}
	return key, nil
}

// ChangePassphrase sets a new passphrase; current is the passphrase or the
// recovery key. The data is not encrypted again: its key is wrapped anew.
func (a *App) ChangePassphrase(ctx context.Context, current, next string) error {
	if err := CheckPassphrase(next); err != nil {
		return err
	}
	return a.rewrap(ctx, current, func(key []byte, v *keys.Vault) error {
		w, err := keys.WrapWithPassphrase(key, next, keys.DefaultParams)
		v.Passphrase = w
		return err
	})
}

// NewRecoveryKey replaces the recovery key (the old one stops working) and
// returns the new one; current is the passphrase or the recovery key.
func (a *App) NewRecoveryKey(ctx context.Context, current string) (string, error) {
	rk, err := keys.NewRecoveryKey()
	if err != nil {
		return "", &Error{Op: "make a recovery key", Kind: KindInternal, Err: err}
	}
	err = a.rewrap(ctx, current, func(key []byte, v *keys.Vault) error {
		w, err := keys.WrapWithRecovery(key, rk)
		v.Recovery = w
		return err
	})
	return rk, err
}

// rewrap changes the vault with the key current unwraps, and saves it.
func (a *App) rewrap(ctx context.Context, current string, change func(key []byte, v *keys.Vault) error) error {
	key, err := a.unwrap(ctx, current)
	if err != nil {
		return err
	}
	if a.store.Locked() {
		if err := a.store.Unlock(ctx, key); err != nil {
			return a.lockError(err)
		}
	}
	v, err := a.store.Vault(ctx)
	if err == nil {
		err = change(key, &v)
	}
	if err == nil {
		err = a.store.SaveVault(ctx, v)
	}
	if err != nil {
		return &Error{Op: "change the passphrase", Kind: KindLocal, Err: err}
	}
	return nil
}

// Lock drops the data key from memory (and the names and needs the inbox
// holds opened). Syncs and sends wait until Unlock: without the key they
// could neither read the tokens nor store what they fetch.
func (a *App) Lock() {
	a.store.Lock()
	a.mu.Lock()
	a.sessions = map[int64]*session{} // their tokens are in memory too
	a.mu.Unlock()
}

// remember keeps the key in the keyring, or forgets it there.
func (a *App) remember(remember bool, key []byte) {
	if a.keyring == nil || a.dbPath == "" {
		return
	}
	folder := filepath.Dir(a.dbPath)
	var err error
	if remember {
		err = a.keyring.Set(folder, key)
	} else {
		err = a.keyring.Delete(folder)
	}
	if err != nil {
		a.log.Warn("the keyring did not take the change", "remember", remember, "cause", err)
	}
}

// Backup writes an encrypted backup of the data to w: it opens with the
// passphrase or the recovery key of this data, on any computer.
func (a *App) Backup(ctx context.Context, w io.Writer) error {
	if err := a.store.Backup(ctx, w); err != nil {
		return a.lockError(err)
	}
	return nil
}

// Restore replaces the data in dir with the backup in file, which secret
// (the passphrase or the recovery key it was made with) opens. Run it with
// the folder closed. The data it replaces is kept beside it.
func Restore(ctx context.Context, dir, file, secret string) error {
	const op = "restore a backup"
	f, err := os.Open(file)
	if err != nil {
		return &Error{Op: op, Kind: KindLocal, Reason: reasonBackupUnread, Path: file, Err: err}
	}
	defer f.Close()
	err = storage.Restore(ctx, f, filepath.Join(dir, DatabaseName), func(v keys.Vault) ([]byte, error) {
		key, err := keys.Unwrap(v.Passphrase, secret)
		if errors.Is(err, keys.ErrWrongSecret) {
			if rk, perr := keys.ParseRecoveryKey(secret); perr == nil {
				key, err = keys.Unwrap(v.Recovery, rk)
			}
		}
		return key, err
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotABackup):
		return &Error{Op: op, Kind: KindDamaged, Reason: reasonNotABackup, Path: file, Err: err}
	case errors.Is(err, storage.ErrBackupDamaged):
		return &Error{Op: op, Kind: KindDamaged, Reason: reasonBackupDamaged, Path: file, Err: err}
	}
	return (&App{}).lockError(err)
}

// lockError gives a failure to open or keep the data its kind and reason.
func (a *App) lockError(err error) error {
	switch {
	case errors.Is(err, keys.ErrWrongSecret), errors.Is(err, storage.ErrWrongKey):
		return &Error{Op: "unlock", Kind: KindLocked, Reason: reasonWrongPassphrase, Err: err}
	case errors.Is(err, storage.ErrLocked):
		return &Error{Op: "unlock", Kind: KindLocked, Reason: reasonLocked, Err: err}
	case errors.Is(err, storage.ErrNotEncrypted):
		return &Error{Op: "unlock", Kind: KindLocked, Reason: reasonNotProtectedYet, Err: err}
	}
	return err
}

// CheckPassphrase says whether a passphrase may protect the data; the
// error's sentence (Explain) is the rule, in the case worker's words.
func CheckPassphrase(p string) error {
	if err := keys.CheckPassphrase(p); err != nil {
		return &Error{Op: "check the passphrase", Kind: KindInvalid, Reason: reasonWeakPassphrase, Value: err.Error()}
	}
	return nil
}

// PassphraseStrength is a short hint while a passphrase is typed: "too
// short", "fair", "good" or "strong".
func PassphraseStrength(p string) string { return keys.Strength(p) }
