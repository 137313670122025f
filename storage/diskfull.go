package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDiskFull means the disk that holds the data is full: nothing more can
// be saved until there is room, but what is saved can still be read.
var ErrDiskFull = errors.New("the disk is full")

// Open opens (creating if needed) the cache file at path and brings its
// schema up to date (openFile). When the disk is too full even to open it
// for writing, it opens it read-only, so that the cached referrals stay
// readable; every write then fails with ErrDiskFull.
//
// A write-ahead log needs its index file (-shm, 32 KiB) before anything
// can be read, and SQLite deletes it on close: on a full disk the next
// start could not read a thing. Read-only, the file is opened immutable,
// without that index, which is sound only while the log holds nothing
// not yet copied into the file (it is empty after every clean close).
func Open(path string, opts ...Option) (*DB, error) {
	db, err := openWritable(path, opts...)
	if err == nil || !errors.Is(err, ErrDiskFull) {
		return db, err
	}
	ro, rerr := openReadOnly(path, opts...)
	if rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	return ro, nil
}

// openWritable is openFile; a test puts a full disk in its place.
var openWritable = func(path string, opts ...Option) (*DB, error) {
	db, err := openFile(path, opts...)
	return db, asDiskFull(err)
}

// isDiskFull reports an error of a disk with no room: SQLite's SQLITE_FULL
// (its extended codes too), a write-ahead log index it could not size, or
// the system's ENOSPC.
func isDiskFull(err error) bool {
	c := sqliteCode(err)
	return c&0xff == sqlite3.SQLITE_FULL || c == sqlite3.SQLITE_IOERR_SHMSIZE || errors.Is(err, syscall.ENOSPC)
}

// asDiskFull marks an error of a full disk with ErrDiskFull.
func asDiskFull(err error) error {
	if err != nil && !errors.Is(err, ErrDiskFull) && isDiskFull(err) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// diskFull is asDiskFull for a write: on a store opened read-only, every
// write fails for the full disk.
func (db *DB) diskFull(err error) error {
	if err != nil && db.readOnly && !errors.Is(err, ErrDiskFull) {
		return fmt.Errorf("%w: opened read-only: %w", ErrDiskFull, err)
	}
	return asDiskFull(err)
}

// openReadOnly opens the file at path for reading only, immutable (no
// locks, no log, no log index): for a disk too full to open it otherwise.
// It refuses a file whose log holds changes (a crash left them there): read
// without the log, the file could show a checkpoint half done.
func openReadOnly(path string, opts ...Option) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("storage: open read-only: %w", err)
	}
	if fi, err := os.Stat(abs + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("storage: open %s read-only: its write-ahead log holds changes", abs)
	}
	u, err := url.Parse(dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("storage: open %s read-only: %w", abs, err)
	}
	q := u.Query()
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	u.RawQuery = q.Encode()
	sqldb, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("storage: open %s read-only: %w", abs, err)
	}
	db := &DB{sql: sqldb, now: time.Now, writer: make(chan struct{}, 1), readOnly: true}
	db.setSealer(plaintext{})
	for _, o := range opts {
		o(db)
	}
	db.startCheckpointer()
	if err := db.readyToRead(context.Background()); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s read-only: %w", abs, err)
	}
	return db, nil
}

// readyToRead sets up a store opened read-only: its writes go to a
// connection that refuses them, and it must need no migration.
func (db *DB) readyToRead(ctx context.Context) error {
	var err error
	if db.writerConn, err = db.sql.Conn(ctx); err != nil {
		return err
	}
	if err := db.writerConn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&db.pageSize); err != nil {
		return err
	}
	v, err := userVersion(ctx, db.sql)
	if err != nil {
		return err
	}
	if v != len(migrations) {
		return fmt.Errorf("schema version %d needs updating to %d, which needs room on the disk", v, len(migrations))
	}
	return db.chooseSealer(ctx)
}
