package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Referral is the inbox row of one referral Task, computed by the app from the
// Task and what it references. Person and Need are sealed.
type Referral struct {
	SourceID         int64
	TaskID           string
	Status, Priority string
	// The inbox's orders by status and by priority sort by these ranks,
	// lowest first, from 0 to MaxRank: the app gives them, storage knows
	// no order of statuses or priorities.
	StatusRank, PriorityRank int
	Person                   string // display name of the person (protected)
	Need                     string // "Food insecurity — Assistance with application for food pantry program" (protected)
	Category                 string // SDOH category code, e.g. "food-insecurity"
	Requester                string // requesting organization / practitioner display
	AuthoredOn               string // FHIR dateTime
	LastUpdated              string // Task meta.lastUpdated
	VersionID                string // Task meta.versionId
	DoNotContact             bool
	Consent                  string // "active" | "inactive" | "none"
	FocusRef                 string
	PatientRef               string
	Pending                  bool      // computed on read: an outbox change for this task is pending/sending
	Projected                string    // computed on read: the status the last change waiting to be sent asks for; "" when none waits
	Damaged                  bool      // computed on read: Person or Need did not open (ErrDamaged) and are empty
	SeenAt                   time.Time // when the case worker last opened it (zero = unread)
	ReceivedAt               time.Time // when Referral Desk first stored it

	// Phones are the person's phone numbers as the platform wrote them
	// (protected). Only inbox search reads them back (inbox_phones.go).
	Phones []string
}

// MaxRank is the highest rank a referral row may have.
const MaxRank = 255

// referralsPerUpsert is how many rows one statement of a referralChunk
// stores: 22 parameters each, where SQLite binds at most 32 766. A SELECT
// and an INSERT or UPDATE per row took ~15 % more of the referral rows' CPU.
const referralsPerUpsert = 100

// upsertReferrals stores the rows of one source, keeping ReceivedAt and
// SeenAt of stored rows. A stored row whose Task is newer (by lastUpdated) is
// kept as it is. A row of an unchanged Task is still rewritten: what it shows
// of other resources (the person's name, consent) may have changed. A Task
// given twice is stored once, as the later of its rows would leave it.
func (db *DB) upsertReferrals(ctx context.Context, tx *txn, sourceID int64, rows []Referral) (SaveCounts, error) {
	chunks, err := db.referralChunks(sourceID, rows)
	if err != nil {
		return SaveCounts{}, err
	}
	return storeReferralChunks(ctx, tx, sourceID, chunks)
}

// referralChunk is one statement's worth of referral rows to store: the
// rows of different Tasks and the arguments of upsertReferralsSQL, sealed.
type referralChunk struct {
	rows []Referral
	args []any
}

// referralChunks checks and seals the rows of one source and cuts them into
// statements, one row per Task (latestPerTask); storeReferralChunks stores
// them as upsertReferrals says.
func (db *DB) referralChunks(sourceID int64, rows []Referral) ([]referralChunk, error) {
	rows, err := latestPerTask(sourceID, rows)
	if err != nil {
		return nil, err
	}
	received := timeText(db.now())
	var out []referralChunk
	for len(rows) > 0 {
		n := rowsPerStatement(len(rows), referralsPerUpsert)
		c := referralChunk{rows: rows[:n], args: make([]any, 0, 22*n)}
		for _, r := range c.rows {
			key := referralRowKey(r.SourceID, r.TaskID)
			person, err := db.sealText(colPerson, key, r.Person)
			if err != nil {
				return nil, err
			}
			need, err := db.sealText(colNeed, key, r.Need)
			if err != nil {
				return nil, err
			}
			phones, err := db.sealText(colPhones, key, phoneLines(r.Phones))
			if err != nil {
				return nil, err
			}
			rowReceived := received
			if !r.ReceivedAt.IsZero() {
				rowReceived = timeText(r.ReceivedAt)
			}
			c.args = append(c.args, r.SourceID, r.TaskID, r.Status, r.Priority, r.StatusRank, r.PriorityRank, person, need,
				r.Category, r.Requester, r.AuthoredOn, instantKey(r.AuthoredOn), r.LastUpdated,
				instantKey(r.LastUpdated), r.VersionID, r.DoNotContact, r.Consent, r.FocusRef, r.PatientRef,
				timeText(r.SeenAt), rowReceived, phones)
		}
		out = append(out, c)
		rows = rows[n:]
	}
	return out, nil
}

func storeReferralChunks(ctx context.Context, tx *txn, sourceID int64, chunks []referralChunk) (SaveCounts, error) {
	var c SaveCounts
	for _, ch := range chunks {
		if err := storeReferralChunk(ctx, tx, sourceID, ch, &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// latestPerTask checks rows and leaves one per Task: the one storing them in
// order would leave, where its Task first appeared.
func latestPerTask(sourceID int64, rows []Referral) ([]Referral, error) {
	at := make(map[string]int, len(rows))
	out := make([]Referral, 0, len(rows))
	for _, r := range rows {
		if r.TaskID == "" {
			return nil, errors.New("referral: empty task id")
		}
		if r.SourceID == 0 {
			r.SourceID = sourceID
		}
		if r.SourceID != sourceID {
			return nil, fmt.Errorf("referral %s belongs to source %d", r.TaskID, r.SourceID)
		}
		if !validRank(r.StatusRank) || !validRank(r.PriorityRank) {
			return nil, fmt.Errorf("referral %s: ranks %d and %d, want 0 to %d", r.TaskID, r.StatusRank, r.PriorityRank, MaxRank)
		}
		i, seen := at[r.TaskID]
		switch {
		case !seen:
			at[r.TaskID] = len(out)
			out = append(out, r)
		case !olderThan(instantKey(r.LastUpdated), instantKey(out[i].LastUpdated)):
			out[i] = r
		}
	}
	return out, nil
}

func validRank(r int) bool { return r >= 0 && r <= MaxRank }

// olderThan: a row replaces a stored one unless both have a lastUpdated and
// its own is earlier. The statement of upsertReferralsSQL says the same.
func olderThan(key, storedKey string) bool {
	return key != "" && storedKey != "" && key < storedKey
}

// storeReferralChunk stores the rows of one chunk with one statement,
// counting into c and telling the inbox index.
func storeReferralChunk(ctx context.Context, tx *txn, sourceID int64, ch referralChunk, c *SaveCounts) error {
	rows := ch.rows
	stored, err := storedVersions(ctx, tx, sourceID, rows)
	if err != nil {
		return err
	}
	byTask := make(map[string]Referral, len(rows))
	for _, r := range rows {
		byTask[r.TaskID] = r
	}
	res, err := tx.QueryContext(ctx, upsertReferralsSQL(len(rows)), ch.args...)
	if err != nil {
		return fmt.Errorf("referrals %s…: %w", rows[0].TaskID, err)
	}
	defer res.Close()
	written := 0
	for res.Next() {
		var id int64
		var task string
		if err := res.Scan(&id, &task); err != nil {
			return fmt.Errorf("referrals %s…: %w", rows[0].TaskID, err)
		}
		r := byTask[task]
		indexReferral(tx, id, r)
		written++
		before, ok := stored[task]
		switch {
		case !ok:
			c.New++
		case before.versionID != r.VersionID || before.lastUpdated != r.LastUpdated:
			c.Updated++
		default:
			c.Unchanged++
		}
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("referrals %s…: %w", rows[0].TaskID, err)
	}
	c.Unchanged += len(rows) - written // kept: the stored Task is newer
	return nil
}

type storedVersion struct{ versionID, lastUpdated string }

// storedVersions reads what is stored of rows' Tasks, by task id.
func storedVersions(ctx context.Context, tx *txn, sourceID int64, rows []Referral) (map[string]storedVersion, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.TaskID
	}
	list, err := json.Marshal(ids) // one parameter, however many ids
	if err != nil {
		return nil, err
	}
	res, err := tx.QueryContext(ctx, `SELECT task_id, version_id, last_updated FROM referrals
		WHERE source_id = ? AND task_id IN (SELECT value FROM json_each(?))`, sourceID, string(list))
	if err != nil {
		return nil, fmt.Errorf("stored referrals: %w", err)
	}
	defer res.Close()
	out := make(map[string]storedVersion)
	for res.Next() {
		var task string
		var v storedVersion
		if err := res.Scan(&task, &v.versionID, &v.lastUpdated); err != nil {
			return nil, fmt.Errorf("stored referrals: %w", err)
		}
		out[task] = v
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("stored referrals: %w", err)
	}
	return out, nil
}

// upsertReferralsSQL is the statement storing n rows of different Tasks; it
// returns the id and task of each row it wrote.
func upsertReferralsSQL(n int) string {
	const row = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	return `INSERT INTO referrals (source_id, task_id, status, priority, status_rank, priority_rank, person, need,
		category, requester, authored_on, authored_key, last_updated, updated_key, version_id,
		do_not_contact, consent, focus_ref, patient_ref, seen_at, received_at, phones)
		VALUES ` + row + strings.Repeat(`, `+row, n-1) + `
		ON CONFLICT (source_id, task_id) DO UPDATE SET status = excluded.status,
			priority = excluded.priority, status_rank = excluded.status_rank,
			priority_rank = excluded.priority_rank, person = excluded.person, need = excluded.need,
			category = excluded.category, requester = excluded.requester,
			authored_on = excluded.authored_on, authored_key = excluded.authored_key,
			last_updated = excluded.last_updated, updated_key = excluded.updated_key,
			version_id = excluded.version_id, do_not_contact = excluded.do_not_contact,
			consent = excluded.consent, focus_ref = excluded.focus_ref, patient_ref = excluded.patient_ref,
			phones = excluded.phones
		WHERE NOT (excluded.updated_key <> '' AND referrals.updated_key <> ''
			AND excluded.updated_key < referrals.updated_key)
		RETURNING id, task_id`
}

// indexReferral tells the inbox index about the stored row id of r.
func indexReferral(tx *txn, id int64, r Referral) {
	c := tx.inboxChanged()
	c.rows = append(c.rows, inboxRow{id: id, source: r.SourceID, authoredKey: instantKey(r.AuthoredOn),
		person: r.Person, need: r.Need, requester: r.Requester, status: r.Status, category: r.Category,
		phones: phoneLines(r.Phones), statusRank: uint8(r.StatusRank), priorityRank: uint8(r.PriorityRank)})
}

const referralSelect = `SELECT r.source_id, r.task_id, r.status, r.priority, r.status_rank, r.priority_rank,
	r.person, r.need, r.category,
	r.requester, r.authored_on, r.last_updated, r.version_id, r.do_not_contact, r.consent, r.focus_ref,
	r.patient_ref, r.seen_at, r.received_at,
	(SELECT o.to_status FROM outbox o WHERE o.source_id = r.source_id AND o.task_id = r.task_id
		AND o.state IN ('pending', 'sending') ORDER BY o.id DESC LIMIT 1)
	FROM referrals r`

func (db *DB) scanReferral(sc interface{ Scan(...any) error }) (Referral, error) {
	var r Referral
	var person, need []byte
	var seen, received, projected sql.NullString
	err := sc.Scan(&r.SourceID, &r.TaskID, &r.Status, &r.Priority, &r.StatusRank, &r.PriorityRank, &person, &need, &r.Category,
		&r.Requester, &r.AuthoredOn, &r.LastUpdated, &r.VersionID, &r.DoNotContact, &r.Consent, &r.FocusRef,
		&r.PatientRef, &seen, &received, &projected)
	if err != nil {
		return Referral{}, err
	}
	r.Projected, r.Pending = projected.String, projected.String != ""
	if r.Person, r.Need, r.Damaged, err = db.openPersonNeed(r.SourceID, r.TaskID, person, need); err != nil {
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

// openPersonNeed opens a referral row's person and need. One that is
// damaged leaves both empty and damaged true, rather than failing the
// whole inbox: the row is still listed, and its next sync rewrites it.
func (db *DB) openPersonNeed(source int64, taskID string, person, need []byte) (p, n string, damaged bool, err error) {
	key := referralRowKey(source, taskID)
	p, err = db.openText(colPerson, key, person)
	if err == nil {
		n, err = db.openText(colNeed, key, need)
	}
	if errors.Is(err, ErrDamaged) {
		return "", "", true, nil
	}
	return p, n, false, err
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

// MarkSeen records when the case worker opened the referral; the zero time
// marks it unread again.
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
