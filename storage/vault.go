package storage

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/referraldesk/referraldesk/storage/keys"
)

// Encryption at rest. An encrypted file keeps its data key only wrapped
// (keys.Vault) in its vault row, with a proof: a known text sealed under the
// key, which tells this file's key from any other. Opened without the key,
// or after Lock, the store is locked: protected columns neither open nor
// take new values (ErrLocked), while what the inbox sorts and filters on
// (statuses, priorities, dates, ids, platforms) stays readable.

var (
	// ErrNotEncrypted: the file has no vault yet (written before
	// encryption at rest, or new): EncryptFile encrypts it.
	ErrNotEncrypted = errors.New("the database is not encrypted yet")
	// ErrWrongKey: a data key that is not this file's.
	ErrWrongKey = errors.New("this key does not open this database")
)

// proofText is what a file's proof holds, sealed under its data key.
const proofText = "referraldesk data key"

// WithDataKey opens an encrypted file unlocked with its data key; Open fails
// with ErrWrongKey for another key, and with ErrNotEncrypted for a file that
// has no vault. Without it an encrypted file opens locked (Unlock).
func WithDataKey(key []byte) Option {
	return func(db *DB) { db.key = bytes.Clone(key) }
}

// chooseSealer sets the sealer Open leaves the store with: plaintext for a
// file not encrypted yet, else aesGCM with the key given, else locked.
func (db *DB) chooseSealer(ctx context.Context) error {
	key := db.key
	db.key = nil
	_, proof, err := db.readVault(ctx)
	switch {
	case errors.Is(err, ErrNotEncrypted) && key == nil:
		return nil
	case err != nil:
		return err
	case key == nil:
		db.setSealer(locked{})
		return nil
	}
	return db.unlockWith(key, proof)
}

// readVault returns the file's vault and proof, or ErrNotEncrypted (also
// for a file whose schema predates the vault).
func (db *DB) readVault(ctx context.Context) (keys.Vault, []byte, error) {
	var tables int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'vault'`).Scan(&tables); err != nil {
		return keys.Vault{}, nil, fmt.Errorf("reading the vault: %w", err)
	}
	if tables == 0 {
		return keys.Vault{}, nil, ErrNotEncrypted
	}
	var wrapped, proof []byte
	err := db.sql.QueryRowContext(ctx, `SELECT wrapped, proof FROM vault WHERE id = 1`).Scan(&wrapped, &proof)
	if errors.Is(err, sql.ErrNoRows) {
		return keys.Vault{}, nil, ErrNotEncrypted
	}
	if err != nil {
		return keys.Vault{}, nil, fmt.Errorf("reading the vault: %w", err)
	}
	var v keys.Vault
	if err := json.Unmarshal(wrapped, &v); err != nil {
		return keys.Vault{}, nil, fmt.Errorf("%w: the vault does not read: %v", ErrDamaged, err)
	}
	return v, proof, nil
}

// Vault returns the wrapped data key of an encrypted file, to unwrap with
// the passphrase or the recovery key; ErrNotEncrypted for a file that has
// none.
func (db *DB) Vault(ctx context.Context) (keys.Vault, error) {
	v, _, err := db.readVault(ctx)
	return v, err
}

// SaveVault replaces the wrappings of the data key (a new passphrase or
// recovery key); the key, and so every sealed value, stays as it is. The
// store must be unlocked: only who has the key may wrap it anew.
func (db *DB) SaveVault(ctx context.Context, v keys.Vault) error {
	if _, ok := db.sealer().(aesGCM); !ok {
		return fmt.Errorf("storage: save vault: %w", ErrLocked)
	}
	wrapped, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE vault SET wrapped = ? WHERE id = 1`, wrapped))
	})
}

// Unlock opens an encrypted store with its data key (ErrWrongKey for any
// other).
func (db *DB) Unlock(ctx context.Context, key []byte) error {
	_, proof, err := db.readVault(ctx)
	if err != nil {
		return fmt.Errorf("storage: unlock: %w", err)
	}
	return db.unlockWith(key, proof)
}

func (db *DB) unlockWith(key, proof []byte) error {
	s, err := newAESGCM(key)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWrongKey, err)
	}
	if text, err := s.open("vault", "proof", "1", proof); err != nil || string(text) != proofText {
		return ErrWrongKey
	}
	db.setSealer(s)
	return nil
}

// Lock drops the data key from memory, and the inbox index, which holds
// names and needs opened: until Unlock, protected values fail with
// ErrLocked. A file that is not encrypted has nothing to lock.
func (db *DB) Lock() {
	if _, ok := db.sealer().(aesGCM); !ok {
		return
	}
	db.setSealer(locked{})
	db.inbox.mu.Lock()
	db.inbox.unload()
	db.inbox.mu.Unlock()
}

// Locked reports whether protected values are out of reach until Unlock.
func (db *DB) Locked() bool {
	_, ok := db.sealer().(locked)
	return ok
}
