package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A migration is one numbered schema step. Steps are applied in order, each in
// its own transaction together with PRAGMA user_version = its number, so a
// crash leaves the file at a step boundary. Append new steps; never edit one
// that has shipped.
type migration struct {
	name  string
	apply func(ctx context.Context, db *DB, tx *sql.Tx) error
}

var migrations = []migration{
	{"initial schema", execSQL(schemaV1)},
	{"inbox search in memory", execSQL(schemaV2)},
	{"fewer inbox indexes", execSQL(schemaV3)},
	{"inbox ranks", rankReferrals},
	{"vault", execSQL(schemaV5)},
	{"outbox claims", execSQL(schemaV6)},
	{"completion outcomes", execSQL(schemaV7)},
	{"capacity", execSQL(schemaV8)},
	{"dismissed changes", execSQL(schemaV9)},
	{"phones for search", execSQL(schemaV10)},
}

func execSQL(stmts string) func(context.Context, *DB, *sql.Tx) error {
	return func(ctx context.Context, _ *DB, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, stmts)
		return err
	}
}

// migrate brings the file to len(migrations), refusing a file from a newer version.
func (db *DB) migrate(ctx context.Context) error {
	for step := 1; step <= len(migrations); step++ {
		err := db.write(ctx, func(tx *txn) error {
			have, err := userVersion(ctx, tx)
			if err != nil {
				return err
			}
			if have > len(migrations) {
				return fmt.Errorf("%w: schema version %d, this version knows up to %d", ErrSchemaTooNew, have, len(migrations))
			}
			if have >= step { // already applied (possibly by another process)
				return nil
			}
			// Unprepared: a step may hold many statements.
			if err := migrations[step-1].apply(ctx, db, tx.Tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", step, migrations[step-1].name, err)
			}
			_, err = tx.Tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", step))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func userVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// schemaV1: times are UTC text in timeLayout (NULL = never); *_key columns are
// instantKey orderings of the server's text. BLOB columns are sealed (sealer.go).
// AUTOINCREMENT keeps ids from being reused, because sealed rows are bound to them.
const schemaV1 = `
CREATE TABLE sources (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL DEFAULT '',
	fhir_base     TEXT NOT NULL UNIQUE CHECK (fhir_base <> ''),
	client_id     TEXT NOT NULL DEFAULT '',
	redirect_port INTEGER NOT NULL DEFAULT 0,
	owner         TEXT NOT NULL DEFAULT '',
	scopes        TEXT NOT NULL DEFAULT '',
	auth_config   BLOB,
	state         TEXT NOT NULL CHECK (state IN ('ok', 'needs-sign-in', 'error')),
	state_detail  TEXT NOT NULL DEFAULT '',
	watermark     TEXT NOT NULL DEFAULT '',
	last_sync_at  TEXT,
	created_at    TEXT NOT NULL
);

CREATE TABLE tokens (
	source_id     INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
	access_token  BLOB NOT NULL,
	refresh_token BLOB NOT NULL,
	id_token      BLOB NOT NULL,
	scope         TEXT NOT NULL DEFAULT '',
	expiry        TEXT
);

CREATE TABLE resources (
	source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	type         TEXT NOT NULL CHECK (type <> ''),
	id           TEXT NOT NULL CHECK (id <> ''),
	version_id   TEXT NOT NULL DEFAULT '',
	last_updated TEXT NOT NULL DEFAULT '',
	updated_key  TEXT NOT NULL DEFAULT '',
	json         BLOB NOT NULL,
	PRIMARY KEY (source_id, type, id)
);

CREATE TABLE referrals (
	id             INTEGER PRIMARY KEY,
	source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	task_id        TEXT NOT NULL CHECK (task_id <> ''),
	status         TEXT NOT NULL DEFAULT '',
	priority       TEXT NOT NULL DEFAULT '',
	person         BLOB NOT NULL,
	need           BLOB NOT NULL,
	category       TEXT NOT NULL DEFAULT '',
	requester      TEXT NOT NULL DEFAULT '',
	authored_on    TEXT NOT NULL DEFAULT '',
	authored_key   TEXT NOT NULL DEFAULT '',
	last_updated   TEXT NOT NULL DEFAULT '',
	updated_key    TEXT NOT NULL DEFAULT '',
	version_id     TEXT NOT NULL DEFAULT '',
	do_not_contact INTEGER NOT NULL DEFAULT 0,
	consent        TEXT NOT NULL DEFAULT '',
	focus_ref      TEXT NOT NULL DEFAULT '',
	patient_ref    TEXT NOT NULL DEFAULT '',
	seen_at        TEXT,
	received_at    TEXT NOT NULL,
	UNIQUE (source_id, task_id)
);
-- Inbox pages select ids from these (each also holds id, the rowid), then read
-- only the rows of the page: see inbox.go.
CREATE INDEX referrals_authored ON referrals (authored_key);
-- The usual inbox asks for open statuses: cover every filter and sort column.
CREATE INDEX referrals_status   ON referrals (status, authored_key, source_id, category, priority);
CREATE INDEX referrals_source   ON referrals (source_id, authored_key);
CREATE INDEX referrals_category ON referrals (category, authored_key);
CREATE INDEX referrals_priority ON referrals (priority, authored_key);
CREATE INDEX referrals_task     ON referrals (task_id);

-- The lowercase text inbox search matches, in its own narrow table so that a
-- search scans a few MB rather than every whole referral row.
CREATE TABLE referral_search (
	referral_id INTEGER PRIMARY KEY REFERENCES referrals(id) ON DELETE CASCADE,
	text        BLOB NOT NULL
);

CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	task_id      TEXT NOT NULL CHECK (task_id <> ''),
	from_status  TEXT NOT NULL DEFAULT '',
	to_status    TEXT NOT NULL CHECK (to_status <> ''),
	reason       BLOB NOT NULL,
	base_version TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'conflict', 'refused')),
	detail       TEXT NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX outbox_task  ON outbox (source_id, task_id, state);
CREATE INDEX outbox_state ON outbox (state, created_at);
`

// schemaV2 moves inbox search to an in-memory index (inbox_index.go) built
// from the referrals' own sealed columns: the sealed copy of person and need
// in referral_search cost a write per referral and could not be searched
// once sealed. inbox_generation counts committed changes to the inbox rows,
// so that a process notices another one's writes (a CLI sync while the
// window is open) and rebuilds its index.
const schemaV2 = `
DROP TABLE referral_search;
CREATE TABLE inbox_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO inbox_generation (id, n) VALUES (1, 0);
`

// schemaV3 drops the indexes that only filters by source, category and
// priority used: the inbox index answers those once it has loaded (moments
// after start), and SQL then reads them through referrals_status or the table
// itself. Each index cost every sync page a write to ~200 of its pages, a
// sixth of what a first sync wrote.
const schemaV3 = `
DROP INDEX referrals_source;
DROP INDEX referrals_category;
DROP INDEX referrals_priority;
`

// schemaV4 stores the ranks the inbox sorts by status and by priority, which
// the app gives with each row (Referral.StatusRank, PriorityRank): the
// order of statuses and priorities is the referral workflow's, not SQL's.
// referrals_status covers the ranks in place of priority, so that a page
// sorted by either is still chosen from the index alone.
const schemaV4 = `
ALTER TABLE referrals ADD COLUMN status_rank   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referrals ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 0;
DROP INDEX referrals_status;
CREATE INDEX referrals_status ON referrals (status, authored_key, source_id, category, status_rank, priority_rank);
`

// rankReferrals applies schemaV4 and ranks the referrals already stored with
// the ranks WithRanks gave, asking once per status and priority stored.
func rankReferrals(ctx context.Context, db *DB, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, schemaV4); err != nil {
		return err
	}
	type pair struct{ status, priority string }
	var pairs []pair
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT status, priority FROM referrals`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.status, &p.priority); err != nil {
			return err
		}
		pairs = append(pairs, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(pairs) == 0 {
		return nil
	}
	if db.ranks == nil {
		return errors.New("stored referrals need ranks: open with WithRanks")
	}
	for _, p := range pairs {
		s, pr := db.ranks(p.status, p.priority)
		if !validRank(s) || !validRank(pr) {
			return fmt.Errorf("ranks %d and %d of %q, %q: want 0 to %d", s, pr, p.status, p.priority, MaxRank)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status_rank = ?, priority_rank = ?
			WHERE status = ? AND priority = ?`, s, pr, p.status, p.priority); err != nil {
			return err
		}
	}
	// Another process may hold an inbox index of the rows without their ranks.
	_, err = tx.ExecContext(ctx, `UPDATE inbox_generation SET n = n + 1`)
	return err
}

// schemaV5 holds the data key of an encrypted file, wrapped (vault.go); a
// file without its row is not encrypted yet.
const schemaV5 = `
CREATE TABLE vault (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	wrapped BLOB NOT NULL, -- keys.Vault as JSON: the data key under the passphrase and the recovery key
	proof   BLOB NOT NULL  -- a known text sealed under the data key: tells this file's key from another
);
`

// schemaV6 lets one process at a time send a change: a claim names the
// process (claimed_by) and lasts until lease_until (timeText), after which a
// claim left by a process that died may be taken over.
const schemaV6 = `
ALTER TABLE outbox ADD COLUMN claimed_by  TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_until TEXT NOT NULL DEFAULT '';
`

// schemaV7 keeps with a change what the case worker said was done (the
// services delivered, when, enrollment), sealed: app's Completion as JSON.
const schemaV7 = `
ALTER TABLE outbox ADD COLUMN outcome BLOB NOT NULL DEFAULT x'';
`

// schemaV8 keeps, per platform, what the organization said of its capacity
// (IG 3.0.0), whether or not the platform could be told.
const schemaV8 = `
ALTER TABLE sources ADD COLUMN capacity      TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN capacity_note TEXT NOT NULL DEFAULT '';
`

// schemaV9 lets a change be dismissed: the case worker kept the platform's
// version after a conflict. SQLite cannot change a CHECK constraint in
// place, so the table is rebuilt, ids kept (sealed values are bound to
// them) (https://sqlite.org/lang_altertable.html#otheralter).
const schemaV9 = `
CREATE TABLE outbox_new (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	task_id      TEXT NOT NULL CHECK (task_id <> ''),
	from_status  TEXT NOT NULL DEFAULT '',
	to_status    TEXT NOT NULL CHECK (to_status <> ''),
	reason       BLOB NOT NULL,
	base_version TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'conflict', 'refused', 'dismissed')),
	detail       TEXT NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	claimed_by   TEXT NOT NULL DEFAULT '',
	lease_until  TEXT NOT NULL DEFAULT '',
	outcome      BLOB NOT NULL DEFAULT x''
);
INSERT INTO outbox_new (id, source_id, task_id, from_status, to_status, reason, base_version, state, detail,
	attempts, created_at, updated_at, claimed_by, lease_until, outcome)
	SELECT id, source_id, task_id, from_status, to_status, reason, base_version, state, detail,
	attempts, created_at, updated_at, claimed_by, lease_until, outcome FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_task  ON outbox (source_id, task_id, state);
CREATE INDEX outbox_state ON outbox (state, created_at);
`

// schemaV10 keeps the person's phone numbers with each referral row, sealed,
// so that inbox search finds a person by phone (inbox_phones.go). A row
// stored before has none until a sync rewrites it: every platform syncs
// again from the start.
const schemaV10 = `
ALTER TABLE referrals ADD COLUMN phones BLOB NOT NULL DEFAULT x'';
UPDATE sources SET watermark = '';
`
