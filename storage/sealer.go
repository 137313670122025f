package storage

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
)

// sealer is the one seam through which every protected column is written and
// read: secrets (tokens) and everything that identifies a person. A file
// written before encryption at rest uses plaintext; an encrypted one
// (vault.go) uses aesGCM while unlocked and locked while not.
type sealer interface {
	// seal returns what to store for plain in table.column of the row rowKey.
	seal(table, column, rowKey string, plain []byte) ([]byte, error)
	// open returns the plaintext of a value seal stored there.
	open(table, column, rowKey string, stored []byte) ([]byte, error)
}

// plaintext is the sealer of a file not encrypted yet: it stores the bytes as
// they are. Such a file is encrypted on its first unlock (EncryptFile).
type plaintext struct{}

// seal returns plain itself: the driver copies what it binds.
func (plaintext) seal(_, _, _ string, plain []byte) ([]byte, error) {
	if plain == nil {
		return []byte{}, nil // never NULL: the columns are NOT NULL
	}
	return plain, nil
}

func (plaintext) open(_, _, _ string, stored []byte) ([]byte, error) { return stored, nil }

// column names one protected column.
type column struct{ table, name string }

// The protected columns. Every one is a BLOB written only through DB.sealBytes.
var (
	colAccessToken  = column{"tokens", "access_token"}
	colRefreshToken = column{"tokens", "refresh_token"}
	colIDToken      = column{"tokens", "id_token"}
	colResourceJSON = column{"resources", "json"}
	// Inbox search matches person, need and phones in memory, opened (inbox_index.go).
	colPerson = column{"referrals", "person"}
	colNeed   = column{"referrals", "need"}
	colPhones = column{"referrals", "phones"}
	// colReason is the case worker's free-text reason for a status change,
	// which may well name the person.
	colReason = column{"outbox", "reason"}
	// colOutcome is what a completion delivered (Change.Outcome).
	colOutcome = column{"outbox", "outcome"}
)

// protectedColumns lists every sealed column, for re-sealing migrations and tests.
var protectedColumns = []column{
	colAccessToken, colRefreshToken, colIDToken,
	colResourceJSON,
	colPerson, colNeed, colPhones,
	colReason, colOutcome,
}

// Row keys bind a sealed value to its row: the row's natural key, which never
// changes while the row exists.
func tokenRowKey(sourceID int64) string { return strconv.FormatInt(sourceID, 10) }

func resourceRowKey(sourceID int64, typ, id string) string {
	return strconv.FormatInt(sourceID, 10) + "/" + typ + "/" + id
}

func referralRowKey(sourceID int64, taskID string) string {
	return strconv.FormatInt(sourceID, 10) + "/" + taskID
}

func changeRowKey(id int64) string { return strconv.FormatInt(id, 10) }

func (db *DB) sealBytes(c column, rowKey string, plain []byte) ([]byte, error) {
	b, err := db.sealer().seal(c.table, c.name, rowKey, plain)
	if err != nil {
		return nil, fmt.Errorf("seal %s.%s: %w", c.table, c.name, err)
	}
	return b, nil
}

func (db *DB) openBytes(c column, rowKey string, stored []byte) ([]byte, error) {
	b, err := db.sealer().open(c.table, c.name, rowKey, stored)
	if err != nil {
		return nil, fmt.Errorf("open %s.%s: %w", c.table, c.name, err)
	}
	return b, nil
}

func (db *DB) sealText(c column, rowKey, plain string) ([]byte, error) {
	return db.sealBytes(c, rowKey, []byte(plain))
}

func (db *DB) openText(c column, rowKey string, stored []byte) (string, error) {
	b, err := db.openBytes(c, rowKey, stored)
	return string(b), err
}

// sealerBox holds the sealer in use, which Lock and Unlock swap while others
// read it.
type sealerBox struct{ sealer }

func (db *DB) sealer() sealer { return db.seal.Load().sealer }

func (db *DB) setSealer(s sealer) { db.seal.Store(&sealerBox{s}) }

var (
	// ErrLocked matches (errors.Is) a protected value asked for, or about to
	// be written, while the store is locked: its key is not in memory.
	ErrLocked = errors.New("the data is locked")
	// ErrDamaged matches a protected value that does not open: altered,
	// moved to another row or column, or sealed under another key.
	ErrDamaged = errors.New("protected data is damaged")
)

// locked is the sealer of an encrypted file whose key is not in memory.
type locked struct{}

func (locked) seal(_, _, _ string, _ []byte) ([]byte, error) { return nil, ErrLocked }
func (locked) open(_, _, _ string, _ []byte) ([]byte, error) { return nil, ErrLocked }

// aesGCM seals with AES-256-GCM under the data key. What it stores is a
// version byte (1), a random 96-bit nonce, then the ciphertext and its tag.
// Table, column and row key are its associated data, so a value copied into
// another row or column does not open there. Random nonces are safe for far
// more values than one store ever writes (2^32 under one key).
type aesGCM struct {
	aead cipher.AEAD
	key  []byte // for the keys derived from it (a backup's)
}

const (
	sealVersion = 1
	nonceSize   = 12
)

func newAESGCM(key []byte) (aesGCM, error) {
	if len(key) != 32 {
		return aesGCM{}, fmt.Errorf("a data key has 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return aesGCM{}, err
	}
	aead, err := cipher.NewGCM(block)
	return aesGCM{aead: aead, key: bytes.Clone(key)}, err
}

func (s aesGCM) seal(table, column, rowKey string, plain []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:1+nonceSize], plain, associated(table, column, rowKey)), nil
}

func (s aesGCM) open(table, column, rowKey string, stored []byte) ([]byte, error) {
	if len(stored) < 1+nonceSize+s.aead.Overhead() || stored[0] != sealVersion {
		return nil, fmt.Errorf("%w: not a sealed value", ErrDamaged)
	}
	plain, err := s.aead.Open(nil, stored[1:1+nonceSize], stored[1+nonceSize:], associated(table, column, rowKey))
	if err != nil {
		return nil, fmt.Errorf("%w: it does not open in row %s", ErrDamaged, rowKey)
	}
	return plain, nil
}

// associated is a sealed value's associated data: where it is stored.
func associated(table, column, rowKey string) []byte {
	return []byte("referraldesk\x00" + table + "\x00" + column + "\x00" + rowKey)
}
