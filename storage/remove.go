package storage

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotScrubbed means a deletion stands, but what it deleted may linger in
// the file or its log until later writes overwrite it: the vacuum failed, or
// a reader kept the log past the busy timeout.
var ErrNotScrubbed = errors.New("deleted data may linger in the file")

// DeleteSource removes the source and everything stored for it (tokens,
// resources, referrals, outbox, its sync state) in one transaction, by ON
// DELETE CASCADE, then scrubs the file so that none of it stays readable
// there. An error wrapping ErrNotScrubbed comes after the deletion: the
// source is gone all the same.
func (db *DB) DeleteSource(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *txn) error {
		// secure_delete is per connection and off for the writer, where it
		// would cost every sync: on for this transaction, the deleted rows
		// are overwritten with zeros where they lay.
		restore, err := secureDelete(ctx, tx)
		if err != nil {
			return err
		}
		defer restore()
		c := tx.inboxChanged()
		c.deletedSources = append(c.deletedSources, id)
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id))
	})
	if err != nil {
		return fmt.Errorf("storage: delete source %d: %w", id, err)
	}
	if err := db.scrub(ctx); err != nil {
		return fmt.Errorf("storage: delete source %d: deleted, but %w", id, err)
	}
	return nil
}

// secureDelete turns secure_delete on for the transaction's connection and
// returns what turns it back to what it was.
func secureDelete(ctx context.Context, tx *txn) (restore func(), err error) {
	var was int
	if err := tx.Tx.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&was); err != nil {
		return nil, err
	}
	if _, err := tx.Tx.ExecContext(ctx, "PRAGMA secure_delete = 1"); err != nil {
		return nil, err
	}
	return func() { tx.Tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA secure_delete = %d", was)) }, nil
}

// scrub rewrites the file, then empties its log. secure_delete zeroes only
// the rows deleted now; earlier versions of them, left in free space by the
// updates of past syncs (made without it), go only when VACUUM rebuilds
// every page. Before it, ANALYZE samples the indexes anew: sqlite_stat4
// keeps sample keys of every index (a platform's address, its Task ids),
// which a deletion leaves in place. VACUUM runs through the write-ahead
// log, which then holds those pages too, so the log is copied into the file
// and truncated to nothing (https://sqlite.org/pragma.html#pragma_wal_checkpoint).
func (db *DB) scrub(ctx context.Context) error {
	err := db.holdingWriter(ctx, func() error {
		for _, step := range []string{"ANALYZE", "VACUUM"} {
			if _, err := db.writerConn.ExecContext(ctx, step); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return errors.Join(ErrNotScrubbed, err)
	}
	// A checkpoint under way (checkpoint.go's, after a commit) makes this one
	// busy at once, without waiting: wait for it, outside the writer, which
	// its optimize step takes. A commit meanwhile may ask for another, so
	// try a few times.
	for try := 1; ; try++ {
		db.WaitCheckpoint()
		var busy, logged, copied int
		err := db.holdingWriter(ctx, func() error {
			err := db.writerConn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &copied)
			if err == nil && busy == 0 {
				db.logBytes = 0 // afterCommit's count of the log, now empty
			}
			return err
		})
		switch {
		case err != nil:
			return errors.Join(ErrNotScrubbed, err)
		case busy == 0:
			return nil
		case try == 3:
			return fmt.Errorf("%w: the log was in use (%d of %d pages copied)", ErrNotScrubbed, copied, logged)
		}
	}
}

// holdingWriter runs fn while holding the writer, outside a transaction.
func (db *DB) holdingWriter(ctx context.Context, fn func() error) error {
	select {
	case db.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-db.writer }()
	return fn()
}
