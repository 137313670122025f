package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Resource is one FHIR resource as the server sent it. JSON is sealed.
type Resource struct {
	SourceID                         int64
	Type, ID, VersionID, LastUpdated string
	JSON                             []byte
}

// upsertResource stores r unless the stored copy is newer: when both carry a
// lastUpdated, the later one is kept (a page fetched before our own update
// must not overwrite the Task the platform returned).
func (db *DB) upsertResource(ctx context.Context, tx *txn, r Resource) error {
	if r.Type == "" || r.ID == "" {
		return fmt.Errorf("resource %q/%q: empty type or id", r.Type, r.ID)
	}
	if len(r.JSON) == 0 {
		return fmt.Errorf("resource %s/%s: empty JSON", r.Type, r.ID)
	}
	sealed, err := db.sealBytes(colResourceJSON, resourceRowKey(r.SourceID, r.Type, r.ID), r.JSON)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO resources (source_id, type, id, version_id, last_updated, updated_key, json)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_id, type, id) DO UPDATE SET version_id = excluded.version_id,
			last_updated = excluded.last_updated, updated_key = excluded.updated_key, json = excluded.json
		WHERE excluded.updated_key = '' OR resources.updated_key = ''
			OR excluded.updated_key >= resources.updated_key`,
		r.SourceID, r.Type, r.ID, r.VersionID, r.LastUpdated, instantKey(r.LastUpdated), sealed)
	if err != nil {
		return fmt.Errorf("resource %s/%s: %w", r.Type, r.ID, err)
	}
	return nil
}

func (db *DB) scanResource(sc interface{ Scan(...any) error }) (Resource, error) {
	var r Resource
	var sealed []byte
	if err := sc.Scan(&r.SourceID, &r.Type, &r.ID, &r.VersionID, &r.LastUpdated, &sealed); err != nil {
		return Resource{}, err
	}
	var err error
	r.JSON, err = db.openBytes(colResourceJSON, resourceRowKey(r.SourceID, r.Type, r.ID), sealed)
	return r, err
}

const resourceColumns = `source_id, type, id, version_id, last_updated, json`

// Resource returns one stored resource.
func (db *DB) Resource(ctx context.Context, sourceID int64, typ, id string) (Resource, error) {
	r, err := db.scanResource(db.sql.QueryRowContext(ctx, `SELECT `+resourceColumns+`
		FROM resources WHERE source_id = ? AND type = ? AND id = ?`, sourceID, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Resource{}, fmt.Errorf("storage: resource %s/%s of source %d: %w", typ, id, sourceID, err)
	}
	return r, nil
}

// Resources returns the stored resources of one type among ids, by id; ids
// not stored are absent from the map.
func (db *DB) Resources(ctx context.Context, sourceID int64, typ string, ids []string) (map[string]Resource, error) {
	out := make(map[string]Resource, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	idList, err := json.Marshal(ids) // one parameter, however many ids
	if err != nil {
		return nil, fmt.Errorf("storage: %s resources: %w", typ, err)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+resourceColumns+` FROM resources
		WHERE source_id = ? AND type = ? AND id IN (SELECT value FROM json_each(?))`,
		sourceID, typ, string(idList))
	if err != nil {
		return nil, fmt.Errorf("storage: %s resources: %w", typ, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := db.scanResource(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: %s resources: %w", typ, err)
		}
		out[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: %s resources: %w", typ, err)
	}
	return out, nil
}
