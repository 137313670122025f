package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Tokens are a source's OAuth tokens. The three tokens are sealed.
type Tokens struct {
	AccessToken, RefreshToken, IDToken, Scope string
	Expiry                                    time.Time
}

// SaveTokens replaces the source's tokens in one statement: a crash leaves
// either the old set or the new one, never a mix (refresh tokens rotate).
func (db *DB) SaveTokens(ctx context.Context, sourceID int64, t Tokens) error {
	key := tokenRowKey(sourceID)
	access, err := db.sealText(colAccessToken, key, t.AccessToken)
	if err != nil {
		return fmt.Errorf("storage: save tokens of source %d: %w", sourceID, err)
	}
	refresh, err := db.sealText(colRefreshToken, key, t.RefreshToken)
	if err != nil {
		return fmt.Errorf("storage: save tokens of source %d: %w", sourceID, err)
	}
	id, err := db.sealText(colIDToken, key, t.IDToken)
	if err != nil {
		return fmt.Errorf("storage: save tokens of source %d: %w", sourceID, err)
	}
	err = db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (source_id, access_token, refresh_token, id_token, scope, expiry)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (source_id) DO UPDATE SET access_token = excluded.access_token,
				refresh_token = excluded.refresh_token, id_token = excluded.id_token,
				scope = excluded.scope, expiry = excluded.expiry`,
			sourceID, access, refresh, id, t.Scope, timeText(t.Expiry))
		return err
	})
	if isForeignKey(err) {
		err = ErrNotFound // no such source
	}
	if err != nil {
		return fmt.Errorf("storage: save tokens of source %d: %w", sourceID, err)
	}
	return nil
}

// Tokens returns the source's tokens, ErrNotFound when none are stored.
func (db *DB) Tokens(ctx context.Context, sourceID int64) (Tokens, error) {
	var access, refresh, id []byte
	var expiry sql.NullString
	var t Tokens
	err := db.sql.QueryRowContext(ctx, `SELECT access_token, refresh_token, id_token, scope, expiry
		FROM tokens WHERE source_id = ?`, sourceID).Scan(&access, &refresh, &id, &t.Scope, &expiry)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil {
		t.Expiry, err = parseTime(expiry)
	}
	key := tokenRowKey(sourceID)
	if err == nil {
		t.AccessToken, err = db.openText(colAccessToken, key, access)
	}
	if err == nil {
		t.RefreshToken, err = db.openText(colRefreshToken, key, refresh)
	}
	if err == nil {
		t.IDToken, err = db.openText(colIDToken, key, id)
	}
	if err != nil {
		return Tokens{}, fmt.Errorf("storage: tokens of source %d: %w", sourceID, err)
	}
	return t, nil
}

// DeleteTokens forgets the source's tokens (sign-out). Deleting none is not an error.
func (db *DB) DeleteTokens(ctx context.Context, sourceID int64) error {
	err := db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE source_id = ?`, sourceID)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: delete tokens of source %d: %w", sourceID, err)
	}
	return nil
}
