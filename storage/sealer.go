package storage

import (
	"fmt"
	"strconv"
)

// sealer is the one seam through which every protected column is written and
// read: secrets (tokens) and everything that identifies a person. Encryption
// at rest (AES-GCM under a passphrase-unlocked key, with table, column and row
// key as associated data, see docs/smart-client.md "Secrets at rest") is a new
// sealer; no query changes.
type sealer interface {
	// seal returns what to store for plain in table.column of the row rowKey.
	seal(table, column, rowKey string, plain []byte) ([]byte, error)
	// open returns the plaintext of a value seal stored there.
	open(table, column, rowKey string, stored []byte) ([]byte, error)
}

// plaintext is today's sealer: it stores the bytes as they are.
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
	// Inbox search matches person and need in memory, opened (inbox_index.go).
	colPerson = column{"referrals", "person"}
	colNeed   = column{"referrals", "need"}
	// colReason is the case worker's free-text reason for a status change,
	// which may well name the person.
	colReason = column{"outbox", "reason"}
)

// protectedColumns lists every sealed column, for re-sealing migrations and tests.
var protectedColumns = []column{
	colAccessToken, colRefreshToken, colIDToken,
	colResourceJSON,
	colPerson, colNeed,
	colReason,
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
	b, err := db.seal.seal(c.table, c.name, rowKey, plain)
	if err != nil {
		return nil, fmt.Errorf("seal %s.%s: %w", c.table, c.name, err)
	}
	return b, nil
}

func (db *DB) openBytes(c column, rowKey string, stored []byte) ([]byte, error) {
	b, err := db.seal.open(c.table, c.name, rowKey, stored)
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
