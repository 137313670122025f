package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Referral is the inbox row of one referral Task, computed by the app from the
// Task and what it references. Person and Need are sealed.
type Referral struct {
	SourceID         int64
	TaskID           string
	Status, Priority string
	Person           string // display name of the person (protected)
	Need             string // "Food insecurity — Assistance with application for food pantry program" (protected)
	Category         string // SDOH category code, e.g. "food-insecurity"
	Requester        string // requesting organization / practitioner display
	AuthoredOn       string // FHIR dateTime
	LastUpdated      string // Task meta.lastUpdated
	VersionID        string // Task meta.versionId
	DoNotContact     bool
	Consent          string // "active" | "inactive" | "none"
	FocusRef         string
	PatientRef       string
	Pending          bool      // computed on read: an outbox change for this task is pending/sending
	SeenAt           time.Time // when the case worker last opened it (zero = unread)
	ReceivedAt       time.Time // when Referral Desk first stored it
}

// upsert outcomes, counted by SaveSyncPage.
type outcome int

const (
	outcomeNew outcome = iota
	outcomeUpdated
	outcomeUnchanged
)

// upsertReferral stores row, keeping ReceivedAt and SeenAt of a stored row. A
// stored row whose Task is newer (by lastUpdated) is kept as it is. A row of an
// unchanged Task is still rewritten: what it shows of other resources (the
// person's name, consent) may have changed.
func (db *DB) upsertReferral(ctx context.Context, tx *txn, r Referral) (outcome, error) {
	if r.TaskID == "" {
		return 0, errors.New("referral: empty task id")
	}
	key := referralRowKey(r.SourceID, r.TaskID)
	person, err := db.sealText(colPerson, key, r.Person)
	if err != nil {
		return 0, err
	}
	need, err := db.sealText(colNeed, key, r.Need)
	if err != nil {
		return 0, err
	}
	var id int64
	var storedVersion, storedUpdated, storedKey string
	err = tx.QueryRowContext(ctx, `SELECT id, version_id, last_updated, updated_key FROM referrals
		WHERE source_id = ? AND task_id = ?`, r.SourceID, r.TaskID).Scan(&id, &storedVersion, &storedUpdated, &storedKey)
	if errors.Is(err, sql.ErrNoRows) {
		received := r.ReceivedAt
		if received.IsZero() {
			received = db.now()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO referrals (source_id, task_id, status, priority, person, need,
			category, requester, authored_on, authored_key, last_updated, updated_key, version_id,
			do_not_contact, consent, focus_ref, patient_ref, seen_at, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.SourceID, r.TaskID, r.Status, r.Priority, person, need,
			r.Category, r.Requester, r.AuthoredOn, instantKey(r.AuthoredOn), r.LastUpdated,
			instantKey(r.LastUpdated), r.VersionID, r.DoNotContact, r.Consent, r.FocusRef, r.PatientRef,
			timeText(r.SeenAt), timeText(received))
		if err == nil {
			id, err = res.LastInsertId()
		}
		if err != nil {
			return 0, fmt.Errorf("referral %s: %w", r.TaskID, err)
		}
		indexReferral(tx, id, r)
		return outcomeNew, nil
	}
	if err != nil {
		return 0, fmt.Errorf("referral %s: %w", r.TaskID, err)
	}
	newKey := instantKey(r.LastUpdated)
	if storedKey != "" && newKey != "" && newKey < storedKey {
		return outcomeUnchanged, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE referrals SET status = ?, priority = ?, person = ?, need = ?,
		category = ?, requester = ?, authored_on = ?, authored_key = ?, last_updated = ?,
		updated_key = ?, version_id = ?, do_not_contact = ?, consent = ?, focus_ref = ?, patient_ref = ?
		WHERE id = ?`,
		r.Status, r.Priority, person, need,
		r.Category, r.Requester, r.AuthoredOn, instantKey(r.AuthoredOn), r.LastUpdated,
		newKey, r.VersionID, r.DoNotContact, r.Consent, r.FocusRef, r.PatientRef, id)
	if err != nil {
		return 0, fmt.Errorf("referral %s: %w", r.TaskID, err)
	}
	indexReferral(tx, id, r)
	if storedVersion != r.VersionID || storedUpdated != r.LastUpdated {
		return outcomeUpdated, nil
	}
	return outcomeUnchanged, nil
}

// indexReferral tells the inbox index about the stored row id of r.
func indexReferral(tx *txn, id int64, r Referral) {
	c := tx.inboxChanged()
	c.rows = append(c.rows, inboxRow{id: id, source: r.SourceID, authoredKey: instantKey(r.AuthoredOn),
		person: r.Person, need: r.Need, requester: r.Requester, status: r.Status, priority: r.Priority,
		category: r.Category})
}

const referralSelect = `SELECT r.source_id, r.task_id, r.status, r.priority, r.person, r.need, r.category,
	r.requester, r.authored_on, r.last_updated, r.version_id, r.do_not_contact, r.consent, r.focus_ref,
	r.patient_ref, r.seen_at, r.received_at,
	EXISTS (SELECT 1 FROM outbox o WHERE o.source_id = r.source_id AND o.task_id = r.task_id
		AND o.state IN ('pending', 'sending'))
	FROM referrals r`

func (db *DB) scanReferral(sc interface{ Scan(...any) error }) (Referral, error) {
	var r Referral
	var person, need []byte
	var seen, received sql.NullString
	err := sc.Scan(&r.SourceID, &r.TaskID, &r.Status, &r.Priority, &person, &need, &r.Category,
		&r.Requester, &r.AuthoredOn, &r.LastUpdated, &r.VersionID, &r.DoNotContact, &r.Consent, &r.FocusRef,
		&r.PatientRef, &seen, &received, &r.Pending)
	if err != nil {
		return Referral{}, err
	}
	key := referralRowKey(r.SourceID, r.TaskID)
	if r.Person, err = db.openText(colPerson, key, person); err != nil {
		return Referral{}, err
	}
	if r.Need, err = db.openText(colNeed, key, need); err != nil {
		return Referral{}, err
	}
	if r.SeenAt, err = parseTime(seen); err != nil {
		return Referral{}, err
	}
	if r.ReceivedAt, err = parseTime(received); err != nil {
		return Referral{}, err
	}
	return r, nil
}

func (db *DB) queryReferrals(ctx context.Context, query string, args ...any) ([]Referral, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		r, err := db.scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Referral returns the inbox row of one Task.
func (db *DB) Referral(ctx context.Context, sourceID int64, taskID string) (Referral, error) {
	r, err := db.scanReferral(db.sql.QueryRowContext(ctx, referralSelect+`
		WHERE r.source_id = ? AND r.task_id = ?`, sourceID, taskID))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Referral{}, fmt.Errorf("storage: referral %s of source %d: %w", taskID, sourceID, err)
	}
	return r, nil
}

// FindReferrals returns the rows of a Task id across all sources, by source.
func (db *DB) FindReferrals(ctx context.Context, taskID string) ([]Referral, error) {
	out, err := db.queryReferrals(ctx, referralSelect+` WHERE r.task_id = ? ORDER BY r.source_id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("storage: find referral %s: %w", taskID, err)
	}
	return out, nil
}

// MarkSeen records when the case worker opened the referral.
func (db *DB) MarkSeen(ctx context.Context, sourceID int64, taskID string, at time.Time) error {
	err := db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE referrals SET seen_at = ? WHERE source_id = ? AND task_id = ?`,
			timeText(at), sourceID, taskID))
	})
	if err != nil {
		return fmt.Errorf("storage: mark referral %s of source %d seen: %w", taskID, sourceID, err)
	}
	return nil
}
