package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SourceState says whether a source can be synced.
type SourceState string

const (
	StateOK          SourceState = "ok"
	StateNeedsSignIn SourceState = "needs-sign-in"
	StateError       SourceState = "error"
)

func (s SourceState) valid() bool {
	return s == StateOK || s == StateNeedsSignIn || s == StateError
}

// Source is one referral platform's FHIR API the organization receives referrals from.
type Source struct {
	ID                       int64
	Name, FHIRBase, ClientID string
	RedirectPort             int
	Owner                    string // typed reference polled for, e.g. "Organization/cbo-eastside"
	Scopes                   string // granted scopes
	AuthConfig               []byte // JSON of the discovered SMART configuration (not secret)
	State                    SourceState
	StateDetail              string
	Watermark                string    // server time (FHIR instant) of the last complete sync; "" = never
	LastSyncAt               time.Time // local time of the last complete sync; zero = never
	CreatedAt                time.Time
	// Capacity is what the organization told this platform of its capacity
	// (the app's code; "" = never said), with a note (SetCapacity).
	Capacity, CapacityNote string
}

// AddSource stores a new source and returns its ID. A source whose FHIRBase is
// already stored is refused with an error wrapping ErrExists. An empty State
// is stored as StateNeedsSignIn; a zero CreatedAt as now.
func (db *DB) AddSource(ctx context.Context, s Source) (int64, error) {
	if s.State == "" {
		s.State = StateNeedsSignIn
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	if err := s.check(); err != nil {
		return 0, fmt.Errorf("storage: add source: %w", err)
	}
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sources
			(name, fhir_base, client_id, redirect_port, owner, scopes, auth_config,
			 state, state_detail, watermark, last_sync_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.Name, s.FHIRBase, s.ClientID, s.RedirectPort, s.Owner, s.Scopes, s.AuthConfig,
			s.State, s.StateDetail, s.Watermark, timeText(s.LastSyncAt), timeText(s.CreatedAt))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if isUnique(err) {
		return 0, fmt.Errorf("storage: add source %s: %w", s.FHIRBase, ErrExists)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: add source %s: %w", s.FHIRBase, err)
	}
	return id, nil
}

// UpdateSource stores every field of s but ID and CreatedAt.
func (db *DB) UpdateSource(ctx context.Context, s Source) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("storage: update source %d: %w", s.ID, err)
	}
	err := db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE sources SET
			name = ?, fhir_base = ?, client_id = ?, redirect_port = ?, owner = ?, scopes = ?,
			auth_config = ?, state = ?, state_detail = ?, watermark = ?, last_sync_at = ?
			WHERE id = ?`,
			s.Name, s.FHIRBase, s.ClientID, s.RedirectPort, s.Owner, s.Scopes,
			s.AuthConfig, s.State, s.StateDetail, s.Watermark, timeText(s.LastSyncAt), s.ID))
	})
	if isUnique(err) {
		err = fmt.Errorf("%s: %w", s.FHIRBase, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("storage: update source %d: %w", s.ID, err)
	}
	return nil
}

func (s Source) check() error {
	if s.FHIRBase == "" {
		return errors.New("empty FHIR base")
	}
	if !s.State.valid() {
		return fmt.Errorf("unknown state %q", s.State)
	}
	return nil
}

const sourceColumns = `id, name, fhir_base, client_id, redirect_port, owner, scopes, auth_config,
	state, state_detail, watermark, last_sync_at, created_at, capacity, capacity_note`

func scanSource(sc interface{ Scan(...any) error }) (Source, error) {
	var s Source
	var lastSync, created sql.NullString
	err := sc.Scan(&s.ID, &s.Name, &s.FHIRBase, &s.ClientID, &s.RedirectPort, &s.Owner, &s.Scopes,
		&s.AuthConfig, &s.State, &s.StateDetail, &s.Watermark, &lastSync, &created, &s.Capacity, &s.CapacityNote)
	if err != nil {
		return Source{}, err
	}
	if s.LastSyncAt, err = parseTime(lastSync); err != nil {
		return Source{}, err
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return Source{}, err
	}
	return s, nil
}

// Source returns the source with the given ID.
func (db *DB) Source(ctx context.Context, id int64) (Source, error) {
	s, err := scanSource(db.sql.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Source{}, fmt.Errorf("storage: source %d: %w", id, err)
	}
	return s, nil
}

// SourceByBase returns the source whose FHIR base is exactly fhirBase.
func (db *DB) SourceByBase(ctx context.Context, fhirBase string) (Source, error) {
	s, err := scanSource(db.sql.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE fhir_base = ?`, fhirBase))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Source{}, fmt.Errorf("storage: source %s: %w", fhirBase, err)
	}
	return s, nil
}

// Sources returns all sources by ID.
func (db *DB) Sources(ctx context.Context) ([]Source, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("storage: sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: sources: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: sources: %w", err)
	}
	return out, nil
}

// SetSourceState records whether the source can be synced, and why not.
func (db *DB) SetSourceState(ctx context.Context, id int64, st SourceState, detail string) error {
	if !st.valid() {
		return fmt.Errorf("storage: set source %d state: unknown state %q", id, st)
	}
	err := db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE sources SET state = ?, state_detail = ? WHERE id = ?`, st, detail, id))
	})
	if err != nil {
		return fmt.Errorf("storage: set source %d state: %w", id, err)
	}
	return nil
}

// SetCapacity records what the organization says of its capacity for the
// source's referrals.
func (db *DB) SetCapacity(ctx context.Context, id int64, capacity, note string) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE sources SET capacity = ?, capacity_note = ? WHERE id = ?`, capacity, note, id))
	})
}

// SyncFromStart makes the source's next sync fetch everything again (its
// watermark forgotten): what is stored damaged is then written anew.
func (db *DB) SyncFromStart(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE sources SET watermark = '' WHERE id = ?`, id))
	})
}

// FinishSync records a complete sync: the server's watermark, the local time,
// and state ok. It also has the index statistics refreshed in the background,
// since a sync is what changes the shape of the data.
func (db *DB) FinishSync(ctx context.Context, id int64, watermark string, at time.Time) error {
	err := db.write(ctx, func(tx *txn) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE sources
			SET watermark = ?, last_sync_at = ?, state = ?, state_detail = '' WHERE id = ?`,
			watermark, timeText(at), StateOK, id))
	})
	if err != nil {
		return fmt.Errorf("storage: finish sync of source %d: %w", id, err)
	}
	db.checkpoints.askOptimize()
	return nil
}

// ForgetClient records that the platform no longer knows the source's client
// id (it answered a refresh with invalid_client): the client id and the
// tokens issued to it are forgotten in one transaction, and the source needs
// a sign-in, detail saying why. Signing in again then registers anew or
// takes a new client id, rather than presenting the one the platform refuses.
func (db *DB) ForgetClient(ctx context.Context, id int64, detail string) error {
	err := db.write(ctx, func(tx *txn) error {
		err := mustAffect(tx.ExecContext(ctx, `UPDATE sources SET client_id = '', state = ?, state_detail = ? WHERE id = ?`,
			StateNeedsSignIn, detail, id))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM tokens WHERE source_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: forget the client of source %d: %w", id, err)
	}
	return nil
}
