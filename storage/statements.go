package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// statements keeps prepared statements for the life of the file, so that
// each connection compiles a query once rather than once per transaction: a
// sync commits a page at a time with the same few statements, and compiling
// them again for every page took ~5 % of its CPU. database/sql prepares a
// kept statement again on each connection that runs it, and closes it with
// the connection.
type statements struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
}

// maxStatements bounds what is kept: a statement of 100 rows holds a few
// tens of KB on every connection. Past the bound, queries are prepared for
// each use.
const maxStatements = 64

// rowsPerStatement is how many of n rows the next multi-row statement
// stores: most, or else the largest power of two up to n. A multi-row
// statement then comes in at most 8 sizes (for most = 100), all kept; with
// any size up to most, pages' remainders filled the kept statements and the
// rest were compiled for each use.
func rowsPerStatement(n, most int) int {
	if n >= most {
		return most
	}
	k := 1
	for k*2 <= n {
		k *= 2
	}
	return k
}

// stmt returns the kept statement of query, preparing it on first use; nil
// (and no error) when none is kept.
func (db *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s := &db.statements
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[query]; ok {
		return st, nil
	}
	if s.closed || len(s.m) >= maxStatements {
		return nil, nil
	}
	st, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.m == nil {
		s.m = make(map[string]*sql.Stmt)
	}
	s.m[query] = st
	return st, nil
}

// close closes the kept statements; none is kept after.
func (s *statements) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for _, st := range s.m {
		err = errors.Join(err, st.Close())
	}
	s.m, s.closed = nil, true
	return err
}

// queryContext runs a query outside a transaction with its kept statement.
func (db *DB) queryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.stmt(ctx, query)
	if err != nil || st == nil {
		return db.sql.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRowContext is queryContext for one row.
func (db *DB) queryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := db.stmt(ctx, query)
	if err != nil || st == nil {
		return db.sql.QueryRowContext(ctx, query, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}
