package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists means a row with the same unique key already exists.
	ErrExists = errors.New("already exists")
	// ErrSchemaTooNew means the file was written by a newer Referral Desk.
	ErrSchemaTooNew = errors.New("database was written by a newer version of Referral Desk")
)

// DB is the open cache file. It is safe for concurrent use: reads run in
// parallel (WAL), writes are serialized.
type DB struct {
	sql  *sql.DB
	seal atomic.Pointer[sealerBox] // sealer(): plaintext, aesGCM or locked (vault.go)
	now  func() time.Time
	key  []byte // the data key WithDataKey gave, until Open has used it
	// writer serializes this process's write transactions, so that they queue
	// in Go (honouring ctx) instead of polling SQLite's busy handler. They all
	// run on writerConn, whose writes to the log are counted in logBytes
	// until a checkpoint (checkpoint.go); both belong to the holder of writer.
	writer     chan struct{}
	writerConn *sql.Conn
	logBytes   int
	pageSize   int // of this file, which may predate pageSize
	// checkpoints copies the log into the file (checkpoint.go).
	checkpoints *checkpointer
	statements  statements // kept prepared (statements.go)
	// inbox answers inbox searches (inbox_index.go).
	inbox inboxIndex
	// ranks ranks the referrals stored before rows had ranks (WithRanks).
	ranks func(status, priority string) (statusRank, priorityRank int)
	// readOnly: opened read-only, the disk being full (diskfull.go).
	readOnly bool
}

// Option changes how Open sets up the store.
type Option func(*DB)

// WithClock makes the store stamp what it records (a referral's arrival, a
// queued change, a source's creation) with now instead of time.Now, so that
// tests and the demo control every time the window shows.
func WithClock(now func() time.Time) Option {
	return func(db *DB) {
		if now != nil {
			db.now = now
		}
	}
}

// WithRanks gives the ranks of a referral's status and priority
// (Referral.StatusRank, PriorityRank), for the referrals a file stored
// before its rows had ranks: Open ranks them once, when it brings the file
// up to date, and refuses a file that has such referrals without WithRanks.
func WithRanks(rank func(status, priority string) (statusRank, priorityRank int)) Option {
	return func(db *DB) { db.ranks = rank }
}

// openFile opens (creating if needed) the cache file at path and brings its schema
// up to date. The folder is created 0700 and the file 0600: it holds PHI.
func openFile(path string, opts ...Option) (*DB, error) {
	if path == "" {
		return nil, errors.New("storage: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	sqldb, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	db := &DB{sql: sqldb, now: time.Now, writer: make(chan struct{}, 1)}
	db.setSealer(plaintext{})
	for _, o := range opts {
		o(db)
	}
	db.startCheckpointer()
	if db.writerConn, err = sqldb.Conn(context.Background()); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	if err := db.setUpFile(context.Background()); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	if err := db.checkPragmas(); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	if err := db.migrate(context.Background()); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	if err := db.chooseSealer(context.Background()); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	// Statistics can wait for a disk with room (diskfull.go).
	if err := db.write(context.Background(), optimize); err != nil && !errors.Is(err, ErrDiskFull) {
		db.closeSQL()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	return db, nil
}

// Close closes the file.
func (db *DB) Close() error {
	db.inbox.mu.Lock()
	db.inbox.unload()
	db.inbox.mu.Unlock()
	return db.closeSQL()
}

// closeSQL stops the checkpointer, closes the writer connection, then the
// pool: SQLite checkpoints what is left in the log when the last connection
// closes.
func (db *DB) closeSQL() error {
	db.checkpoints.stop()
	err := db.statements.close()
	if db.writerConn != nil {
		err = errors.Join(err, db.writerConn.Close())
	}
	return errors.Join(err, db.sql.Close())
}

// dsn builds a file: URI so that any character in the path is escaped, with
// the pragmas every pooled connection needs (WAL is set once, in setUpFile:
// modernc.org/sqlite runs these sorted, and journal_mode would come before
// page_size). _txlock=immediate makes each
// transaction take the write lock at BEGIN: a deferred transaction that later
// writes can fail with SQLITE_BUSY without waiting (https://sqlite.org/rescode.html#busy).
func dsn(abs string) string {
	p := filepath.ToSlash(abs)
	if runtime.GOOS == "windows" {
		p = "/" + p // file:///C:/...
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")          // safe with WAL: https://sqlite.org/pragma.html#pragma_synchronous
	q.Add("_pragma", "wal_autocheckpoint(0)")        // Referral Desk checkpoints: checkpoint.go
	q.Add("_pragma", "journal_size_limit(67108864)") // a log a sync grew is cut back to 64 MB
	// Statement journals hold page images, PHI among them: in memory rather
	// than in temporary files, which also cost a sync 6-10 % of its CPU.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	return (&url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}).String()
}

// createPrivate creates the folder (0700) and an empty file (0600) before
// SQLite does, so the file never exists with the umask's wider mode. SQLite
// gives its -wal and -shm files the mode of the database file.
func createPrivate(abs string) error {
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return f.Chmod(0o600)
	}
	return nil
}

// pageSize is the page size of a new file. A sync writes tens of MB of
// resources into the log; with 16 KiB pages SQLite writes it with a quarter
// of the system calls, and ~1.2 KB resources waste less of each page: a
// 10 000 referral sync took ~10 % less CPU and ~15 % less time than with
// 4 KiB pages (32 and 64 KiB were no better). A file keeps the size it was
// created with.
const pageSize = 16384

// setUpFile gives a new file its page size and the write-ahead log, on the
// writer connection: the size must be set on the connection that first writes
// the file, which switching to WAL does. Both are no-ops on an existing file
// (WAL is remembered in it, so every pooled connection uses it).
func (db *DB) setUpFile(ctx context.Context) error {
	if _, err := db.writerConn.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		return err
	}
	if _, err := db.writerConn.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return err
	}
	return db.writerConn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&db.pageSize)
}

// checkPragmas fails if the connection did not get WAL and foreign keys (for
// example a file system without shared memory support).
func (db *DB) checkPragmas() error {
	var mode string
	if err := db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	var fk int
	if err := db.sql.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
		return err
	}
	if fk != 1 {
		return errors.New("foreign keys are off")
	}
	return nil
}

// write runs fn in one write transaction, committing if fn returns nil. A
// transaction that changed referral rows also updates the inbox index.
func (db *DB) write(ctx context.Context, fn func(tx *txn) error) error {
	return db.diskFull(db.writeTx(ctx, false, fn))
}

// writeBulk is write for one of many transactions in a row (a sync's pages):
// the checkpoint waits for the end of the row (checkpoint.go).
func (db *DB) writeBulk(ctx context.Context, fn func(tx *txn) error) error {
	return db.diskFull(db.writeTx(ctx, true, fn))
}

func (db *DB) writeTx(ctx context.Context, bulk bool, fn func(tx *txn) error) error {
	select {
	case db.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-db.writer }()
	tx, err := db.writerConn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &txn{Tx: tx, db: db}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if t.inbox != nil {
		err = db.commitInbox(ctx, t)
	} else {
		err = tx.Commit()
	}
	if err == nil {
		db.afterCommit(bulk)
	}
	return err
}

// txn is a write transaction that prepares each distinct statement once,
// from the statements kept for the file (statements.go): a sync page runs
// the same few statements for each of its rows, and preparing them anew took
// a fifth of SaveSyncPage's CPU. The transaction's handles on them close
// with it.
type txn struct {
	*sql.Tx
	db    *DB
	stmts map[string]*sql.Stmt
	inbox *inboxChanges // changes to referral rows, for the inbox index
}

func (t *txn) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	kept, err := t.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var st *sql.Stmt
	if kept != nil {
		st = t.Tx.StmtContext(ctx, kept)
	} else if st, err = t.Tx.PrepareContext(ctx, query); err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt)
	}
	t.stmts[query] = st
	return st, nil
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.prepared(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// optimize refreshes the index statistics of tables never analyzed or grown
// 25-fold since. Without them the planner reads a status filter's rows through
// whatever equality index it sees; with them it picks the status index
// (https://sqlite.org/pragma.html#pragma_optimize). No analysis_limit: its
// sampled counts of low-cardinality columns were off by 100x here.
func optimize(tx *txn) error {
	_, err := tx.Tx.Exec("PRAGMA optimize = 0x10002")
	return err
}

// querier is what *sql.DB and *sql.Tx share, for reads inside and outside a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// sqliteCode is the extended result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY }

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
