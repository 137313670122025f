package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ChangeState is where a queued status change is in its life.
type ChangeState string

const (
	ChangePending  ChangeState = "pending"  // waiting to be sent
	ChangeSending  ChangeState = "sending"  // a send is under way (or was, when the app stopped)
	ChangeSent     ChangeState = "sent"     // the platform accepted it
	ChangeConflict ChangeState = "conflict" // the Task changed on the platform since BaseVersion
	ChangeRefused  ChangeState = "refused"  // the platform refused it
	// ChangeDismissed: after a conflict, the case worker kept the
	// platform's version; the change will not be sent.
	ChangeDismissed ChangeState = "dismissed"
)

func (s ChangeState) valid() bool {
	switch s {
	case ChangePending, ChangeSending, ChangeSent, ChangeConflict, ChangeRefused, ChangeDismissed:
		return true
	}
	return false
}

// Change is one status change in the outbox, the durable queue of changes to
// send. Reason is sealed: case workers type it and it may name the person.
type Change struct {
	ID, SourceID         int64
	TaskID               string
	FromStatus, ToStatus string
	Reason               string
	BaseVersion          string      // Task versionId the change was made on
	State                ChangeState // "" is stored as ChangePending
	Detail               string      // the platform's explanation for conflict/refused, or the last transient error
	Outcome              []byte      // what a completion delivered (the app's JSON), sealed; empty for other changes
	Attempts             int
	CreatedAt, UpdatedAt time.Time
}

// Enqueue adds c to the outbox and returns its ID. Zero times are stored as now.
func (db *DB) Enqueue(ctx context.Context, c Change) (int64, error) {
	if c.State == "" {
		c.State = ChangePending
	}
	now := db.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	if !c.State.valid() {
		return 0, fmt.Errorf("storage: enqueue change of task %s: unknown state %q", c.TaskID, c.State)
	}
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		// The reason is sealed under the row's id, known only after the insert.
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (source_id, task_id, from_status, to_status, reason,
			base_version, state, detail, attempts, created_at, updated_at)
			VALUES (?, ?, ?, ?, x'', ?, ?, ?, ?, ?, ?)`,
			c.SourceID, c.TaskID, c.FromStatus, c.ToStatus, c.BaseVersion, c.State, c.Detail, c.Attempts,
			timeText(c.CreatedAt), timeText(c.UpdatedAt))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		reason, err := db.sealText(colReason, changeRowKey(id), c.Reason)
		if err != nil {
			return err
		}
		outcome, err := db.sealBytes(colOutcome, changeRowKey(id), c.Outcome)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET reason = ?, outcome = ? WHERE id = ?`, reason, outcome, id)
		return err
	})
	if isForeignKey(err) {
		err = fmt.Errorf("source %d: %w", c.SourceID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue change of task %s: %w", c.TaskID, err)
	}
	return id, nil
}

const (
	changeColumns = `id, source_id, task_id, from_status, to_status, reason, base_version, state,
	detail, attempts, created_at, updated_at, outcome`
	changeSelect = `SELECT ` + changeColumns + ` FROM outbox`
)

// scanChange reads a row of changeSelect, and into more the columns a query
// adds after it.
func (db *DB) scanChange(sc interface{ Scan(...any) error }, more ...any) (Change, error) {
	var c Change
	var reason, outcome []byte
	var created, updated sql.NullString
	err := sc.Scan(append([]any{&c.ID, &c.SourceID, &c.TaskID, &c.FromStatus, &c.ToStatus, &reason, &c.BaseVersion,
		&c.State, &c.Detail, &c.Attempts, &created, &updated, &outcome}, more...)...)
	if err != nil {
		return Change{}, err
	}
	if c.Reason, err = db.openText(colReason, changeRowKey(c.ID), reason); err != nil {
		return Change{}, err
	}
	if len(outcome) > 0 { // changes queued before outcomes were kept have none
		if c.Outcome, err = db.openBytes(colOutcome, changeRowKey(c.ID), outcome); err != nil {
			return Change{}, err
		}
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Change{}, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return Change{}, err
	}
	return c, nil
}

func (db *DB) queryChanges(ctx context.Context, query string, args ...any) ([]Change, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		c, err := db.scanChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Change returns one outbox entry.
func (db *DB) Change(ctx context.Context, id int64) (Change, error) {
	c, err := db.scanChange(db.sql.QueryRowContext(ctx, changeSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Change{}, fmt.Errorf("storage: change %d: %w", id, err)
	}
	return c, nil
}

// PendingChanges returns the changes still to send (pending and sending),
// oldest first, of one source or of all (sourceID 0).
func (db *DB) PendingChanges(ctx context.Context, sourceID int64) ([]Change, error) {
	out, err := db.queryChanges(ctx, changeSelect+` WHERE state IN ('pending', 'sending')
		AND (? = 0 OR source_id = ?) ORDER BY created_at, id`, sourceID, sourceID)
	if err != nil {
		return nil, fmt.Errorf("storage: pending changes: %w", err)
	}
	return out, nil
}

// UnsettledChanges returns a source's changes that wait to be sent or that
// a conflict stopped, oldest first.
func (db *DB) UnsettledChanges(ctx context.Context, sourceID int64) ([]Change, error) {
	out, err := db.queryChanges(ctx, changeSelect+` WHERE source_id = ? AND state IN ('pending', 'sending', 'conflict')
		ORDER BY id`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("storage: unsettled changes: %w", err)
	}
	return out, nil
}

// ChangesForTask returns every change of one Task, oldest first.
func (db *DB) ChangesForTask(ctx context.Context, sourceID int64, taskID string) ([]Change, error) {
	out, err := db.queryChanges(ctx, changeSelect+` WHERE source_id = ? AND task_id = ?
		ORDER BY created_at, id`, sourceID, taskID)
	if err != nil {
		return nil, fmt.Errorf("storage: changes of task %s: %w", taskID, err)
	}
	return out, nil
}

// MarkChange moves a change to st with detail; ChangeSending counts an attempt.
func (db *DB) MarkChange(ctx context.Context, id int64, st ChangeState, detail string) error {
	if !st.valid() {
		return fmt.Errorf("storage: mark change %d: unknown state %q", id, st)
	}
	err := db.write(ctx, func(tx *txn) error { return db.markChange(ctx, tx, id, st, detail) })
	if err != nil {
		return fmt.Errorf("storage: mark change %d %s: %w", id, st, err)
	}
	return nil
}

// markChange moves a change to st; leaving "sending" ends its claim.
func (db *DB) markChange(ctx context.Context, tx *txn, id int64, st ChangeState, detail string) error {
	return mustAffect(tx.ExecContext(ctx, `UPDATE outbox SET state = ?, detail = ?, updated_at = ?,
		attempts = attempts + (? = 'sending'),
		claimed_by = CASE WHEN ? = 'sending' THEN claimed_by ELSE '' END,
		lease_until = CASE WHEN ? = 'sending' THEN lease_until ELSE '' END
		WHERE id = ?`, st, detail, timeText(db.now()), st, st, st, id))
}

// WaitsForEarlier reports whether change id follows a change of the same
// Task that is still waiting to be sent.
func (db *DB) WaitsForEarlier(ctx context.Context, id int64) (bool, error) {
	var waits bool
	err := db.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox e JOIN outbox c
		ON e.source_id = c.source_id AND e.task_id = c.task_id
		WHERE c.id = ? AND e.id < c.id AND e.state IN ('pending', 'sending'))`, id).Scan(&waits)
	if err != nil {
		return false, fmt.Errorf("storage: change %d: %w", id, err)
	}
	return waits, nil
}

// SettleFollowers gives the changes queued after change id for the same
// Task state st and detail: they were made on top of it, which will not be
// applied.
func (db *DB) SettleFollowers(ctx context.Context, id int64, st ChangeState, detail string) error {
	err := db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, detail = ?, updated_at = ?
			WHERE state = 'pending' AND id > ? AND (source_id, task_id) = (SELECT source_id, task_id FROM outbox WHERE id = ?)`,
			st, detail, timeText(db.now()), id, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: settle changes after %d: %w", id, err)
	}
	return nil
}

// WaitingChanges counts, by source, the changes waiting to be sent.
func (db *DB) WaitingChanges(ctx context.Context) (map[int64]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT source_id, count(*) FROM outbox
		WHERE state IN ('pending', 'sending') GROUP BY source_id`)
	if err != nil {
		return nil, fmt.Errorf("storage: waiting changes: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("storage: waiting changes: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// passBaseVersion gives the change queued after change id for the same Task
// (the next of a sequence made offline: accept, start, complete) the version
// the platform gave the Task when it applied id: the next one was made on
// top of this one, which had no version yet.
func passBaseVersion(ctx context.Context, tx *txn, id int64, version string) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET base_version = ?
		WHERE id = (SELECT n.id FROM outbox n JOIN outbox c ON n.source_id = c.source_id AND n.task_id = c.task_id
			WHERE c.id = ? AND n.id > c.id AND n.state = 'pending' ORDER BY n.id LIMIT 1)`, version, id)
	return err
}

// ClaimChange makes this process (claimer) the one sending change id, for
// lease: it takes a pending change, or one whose sender is gone: its lease
// ran out, or gone(its claimer) says so (a process that died while
// sending; nil: only the lease says). ok is false when another process
// holds it, or it is no longer waiting. The change comes back as it was
// before the claim: its Attempts and State say whether an earlier attempt
// may have reached the platform.
func (db *DB) ClaimChange(ctx context.Context, id int64, claimer string, lease time.Duration, gone func(claimer string) bool) (c Change, ok bool, err error) {
	now := db.now()
	err = db.write(ctx, func(tx *txn) error {
		var holder, until string
		c, err = db.scanChange(tx.QueryRowContext(ctx, `SELECT `+changeColumns+`, claimed_by, lease_until
			FROM outbox WHERE id = ? AND state IN ('pending', 'sending')`, id), &holder, &until)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		held := c.State == ChangeSending && until >= timeText(now).(string)
		if held && (gone == nil || !gone(holder)) {
			return nil
		}
		ok = true
		return mustAffect(tx.ExecContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1,
			claimed_by = ?, lease_until = ?, updated_at = ? WHERE id = ?`,
			claimer, timeText(now.Add(lease)), timeText(now), id))
	})
	if err != nil {
		return Change{}, false, fmt.Errorf("storage: claim change %d: %w", id, err)
	}
	return c, ok, nil
}

// CompleteChange, in one transaction, marks the change sent and stores the
// Task the platform returned with its new inbox row.
func (db *DB) CompleteChange(ctx context.Context, id int64, task Resource, row Referral) error {
	err := db.write(ctx, func(tx *txn) error {
		var sourceID int64
		err := tx.QueryRowContext(ctx, `SELECT source_id FROM outbox WHERE id = ?`, id).Scan(&sourceID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if task.SourceID == 0 {
			task.SourceID = sourceID
		}
		if row.SourceID == 0 {
			row.SourceID = sourceID
		}
		if task.SourceID != sourceID || row.SourceID != sourceID {
			return fmt.Errorf("task or row of another source than the change's (%d)", sourceID)
		}
		if err := db.markChange(ctx, tx, id, ChangeSent, ""); err != nil {
			return err
		}
		if err := passBaseVersion(ctx, tx, id, task.VersionID); err != nil {
			return err
		}
		if err := db.upsertResource(ctx, tx, task); err != nil {
			return err
		}
		_, err = db.upsertReferrals(ctx, tx, sourceID, []Referral{row})
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: complete change %d: %w", id, err)
	}
	return nil
}
