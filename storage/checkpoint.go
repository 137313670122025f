package storage

import (
	"context"
	"sync"

	"modernc.org/sqlite"
)

// Checkpoints copy committed pages from the write-ahead log into the
// database file. SQLite would run one inside every commit that takes the log
// past 1 000 pages (wal_autocheckpoint, off in dsn), on the one goroutine
// storing a sync. Referral Desk instead counts what its writer connection
// logs and, past the limit, checkpoints on a goroutine and
// connection of its own. A sync's pages raise the limit, so a sync copies
// each page it wrote once, after its last commit, rather than a growing
// index again and again: that took an eighth of a first sync's CPU and a
// quarter of its time. Committed pages are as safe in the log as in the
// file (https://sqlite.org/wal.html).
const (
	checkpointBytes     = 4 << 20   // SQLite's own default: 1 000 pages of 4 KiB
	bulkCheckpointBytes = 256 << 20 // the longest log a sync leaves
)

// checkpointer runs the checkpoints asked for, one at a time; asks made
// while one is due fold into it.
type checkpointer struct {
	mu       sync.Mutex
	ended    *sync.Cond // broadcast when a checkpoint ends
	asked    int        // checkpoints asked for
	done     int        // asks answered by a checkpoint that has ended
	optimize bool       // the next checkpoint first refreshes the planner's statistics
	closed   bool       // stopped: asks are not taken any more
	wake     chan struct{}
	cancel   context.CancelFunc
	exited   chan struct{}
}

func (db *DB) startCheckpointer() {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{wake: make(chan struct{}, 1), cancel: cancel, exited: make(chan struct{})}
	c.ended = sync.NewCond(&c.mu)
	db.checkpoints = c
	go func() {
		defer close(c.exited)
		for {
			select {
			case <-ctx.Done():
				return
			case <-c.wake:
			}
			c.mu.Lock()
			answering, optimizing := c.asked, c.optimize
			c.optimize = false
			c.mu.Unlock()
			if optimizing {
				// Its failure is the next sync's to repeat.
				_ = db.write(ctx, optimize)
			}
			// PASSIVE never waits for a reader or the writer. Its error
			// (the file closing, another process checkpointing) has no
			// one to tell: the pages wait in the log for the next one.
			var busy, logged, copied int
			_ = db.sql.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied)
			c.mu.Lock()
			c.done = answering
			c.ended.Broadcast()
			c.mu.Unlock()
		}
	}()
}

func (c *checkpointer) ask() { c.asking(false) }

// askOptimize asks for the statistics to be refreshed, then a checkpoint:
// after a sync, off its path (ANALYZE of a first sync's tables took 20 ms
// per 10 000 referrals, ~0.2 s at 100 000).
func (c *checkpointer) askOptimize() { c.asking(true) }

func (c *checkpointer) asking(optimize bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return // the file is closing: closing checkpoints it
	}
	c.asked++
	c.optimize = c.optimize || optimize
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // one is due already: it answers this ask too
	}
}

// stop ends the goroutine, interrupting a checkpoint under way (closing the
// file checkpoints what is left), and releases whoever waits.
func (c *checkpointer) stop() {
	c.cancel()
	<-c.exited
	c.mu.Lock()
	c.closed = true
	c.done = c.asked
	c.ended.Broadcast()
	c.mu.Unlock()
}

// WaitCheckpoint waits for the checkpoints asked for so far to end, with the
// statistics refreshed before them: for measuring what follows a sync
// without its background work.
func (db *DB) WaitCheckpoint() {
	c := db.checkpoints
	c.mu.Lock()
	for c.done < c.asked {
		c.ended.Wait()
	}
	c.mu.Unlock()
}

// afterCommit counts the bytes the writer connection has just logged and
// asks for a checkpoint once they reach the limit of the write: bulk writes
// (sync pages) tolerate a long log, others do not. It runs while the caller
// holds the writer.
func (db *DB) afterCommit(bulk bool) {
	var written int
	db.writerConn.Raw(func(dc any) error {
		if st, ok := dc.(sqlite.DBStatus); ok {
			written, _, _ = st.Status(sqlite.DBStatusCacheWrite, true)
		}
		return nil
	})
	db.logBytes += written * db.pageSize
	limit := checkpointBytes
	if bulk {
		limit = bulkCheckpointBytes
	}
	if db.logBytes >= limit {
		db.logBytes = 0
		db.checkpoints.ask()
	}
}
