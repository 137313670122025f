package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/referraldesk/referraldesk/storage/keys"
)

// ErrEncrypted: EncryptFile was given a file that is encrypted already.
var ErrEncrypted = errors.New("the database is encrypted already")

// EncryptFile encrypts a database that is not encrypted yet (one written
// before encryption at rest, or a new one) under dataKey, with v as its
// vault. It works on a closed file, in one step that a crash cannot leave
// half done: it writes an encrypted copy beside the file and renames the
// copy over it. Neither the new file nor its log holds a plaintext page:
// the copy is sealed with secure_delete on, its journal in memory, and
// vacuumed before it takes the file's place. opts are Open's (WithRanks for
// a file that predates ranks).
func EncryptFile(ctx context.Context, path string, dataKey []byte, v keys.Vault, opts ...Option) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("storage: encrypt: %w", err)
	}
	copyPath := abs + ".encrypting"
	if err := removeFiles(copyPath); err != nil { // what a crash left
		return fmt.Errorf("storage: encrypt: %w", err)
	}
	if err := copyUpToDate(ctx, abs, copyPath, opts); err != nil {
		return fmt.Errorf("storage: encrypt %s: %w", abs, err)
	}
	if err := sealCopy(ctx, copyPath, dataKey, v); err != nil {
		removeFiles(copyPath)
		return fmt.Errorf("storage: encrypt %s: %w", abs, err)
	}
	if err := replace(abs, copyPath); err != nil {
		return fmt.Errorf("storage: encrypt %s: %w", abs, err)
	}
	return nil
}

// copyUpToDate brings the file at abs to the current schema and copies it,
// compacted, to copyPath.
func copyUpToDate(ctx context.Context, abs, copyPath string, opts []Option) error {
	db, err := Open(abs, opts...)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Vault(ctx); err == nil {
		return ErrEncrypted
	} else if !errors.Is(err, ErrNotEncrypted) {
		return err
	}
	_, err = db.sql.ExecContext(ctx, `VACUUM INTO ?`, copyPath)
	return err
}

// protectedRows says how to find each protected column's rows and their row
// keys (sealer.go's rowKey functions, in SQL).
var protectedRows = []struct {
	col    column
	rowKey string
}{
	{colAccessToken, `CAST(source_id AS TEXT)`},
	{colRefreshToken, `CAST(source_id AS TEXT)`},
	{colIDToken, `CAST(source_id AS TEXT)`},
	{colResourceJSON, `source_id || '/' || type || '/' || id`},
	{colPerson, `source_id || '/' || task_id`},
	{colNeed, `source_id || '/' || task_id`},
	{colPhones, `source_id || '/' || task_id`},
	{colReason, `CAST(id AS TEXT)`},
	{colOutcome, `CAST(id AS TEXT)`},
}

// sealCopy seals every protected value of the copy at path, adds its vault,
// then vacuums it and leaves it in WAL mode, as Open expects.
func sealCopy(ctx context.Context, path string, dataKey []byte, v keys.Vault) error {
	s, err := newAESGCM(dataKey)
	if err != nil {
		return err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(MEMORY)") // no journal file holding plaintext pages
	q.Add("_pragma", "secure_delete(ON)")    // freed pages are zeroed
	q.Add("_pragma", "temp_store(MEMORY)")
	sqldb, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}).String())
	if err != nil {
		return err
	}
	defer sqldb.Close()
	sqldb.SetMaxOpenConns(1)
	tx, err := sqldb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, p := range protectedRows {
		if err := sealColumn(ctx, tx, s, p.col, p.rowKey); err != nil {
			return fmt.Errorf("sealing %s.%s: %w", p.col.table, p.col.name, err)
		}
	}
	if err := addVault(ctx, tx, s, v); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, stmt := range []string{`VACUUM`, `PRAGMA journal_mode = WAL`} {
		if _, err := sqldb.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return sqldb.Close()
}

// sealColumn seals one protected column, a thousand rows at a time.
func sealColumn(ctx context.Context, tx *sql.Tx, s aesGCM, c column, rowKey string) error {
	read := fmt.Sprintf(`SELECT rowid, %s, %s FROM %s WHERE rowid > ? ORDER BY rowid LIMIT 1000`, rowKey, c.name, c.table)
	write := fmt.Sprintf(`UPDATE %s SET %s = ? WHERE rowid = ?`, c.table, c.name)
	type row struct {
		id         int64
		key        string
		plain, new []byte
	}
	for after := int64(0); ; {
		var batch []row
		rows, err := tx.QueryContext(ctx, read, after)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.key, &r.plain); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			sealed, err := s.seal(c.table, c.name, r.key, r.plain)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, write, sealed, r.id); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].id
	}
}

func addVault(ctx context.Context, tx *sql.Tx, s aesGCM, v keys.Vault) error {
	wrapped, err := json.Marshal(v)
	if err != nil {
		return err
	}
	proof, err := s.seal("vault", "proof", "1", []byte(proofText))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO vault (id, wrapped, proof) VALUES (1, ?, ?)`, wrapped, proof)
	return err
}

// replace puts the file at from in the place of the database at to and
// makes the rename durable. to's log and shared memory go first: to was
// closed, so they hold nothing to keep, and a log left beside the new file
// would be read as its own.
func replace(to, from string) error {
	if err := syncFile(from); err != nil {
		return err
	}
	for _, side := range []string{to + "-wal", to + "-shm"} {
		if err := os.Remove(side); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(from, to); err != nil {
		return err
	}
	syncDir(filepath.Dir(to))
	return nil
}

// removeFiles removes a database file and its log and shared memory, if any.
func removeFiles(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir makes a rename in dir durable, where the system can (not on
// Windows): the rename itself is atomic either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
