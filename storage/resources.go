package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	return db.upsertResources(ctx, tx, []Resource{r})
}

// resourcesPerInsert is how many rows one INSERT of upsertResources stores:
// one statement per row cost SaveSyncPage ~5% more CPU; SQLite binds at most
// 32 766 parameters.
const resourcesPerInsert = 100

// upsertResources stores rs as upsertResource does each, in order, with one
// statement per resourcesPerInsert rows.
func (db *DB) upsertResources(ctx context.Context, tx *txn, rs []Resource) error {
	args := make([]any, 0, 7*min(len(rs), resourcesPerInsert))
	for len(rs) > 0 {
		n := rowsPerStatement(len(rs), resourcesPerInsert)
		args = args[:0]
		for _, r := range rs[:n] {
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
			args = append(args, r.SourceID, r.Type, r.ID, r.VersionID, r.LastUpdated, instantKey(r.LastUpdated), sealed)
		}
		if _, err := tx.ExecContext(ctx, upsertResourcesSQL(n), args...); err != nil {
			if n == 1 {
				return fmt.Errorf("resource %s/%s: %w", rs[0].Type, rs[0].ID, err)
			}
			return fmt.Errorf("resources %s/%s…: %w", rs[0].Type, rs[0].ID, err)
		}
		rs = rs[n:]
	}
	return nil
}

// upsertResourcesSQL is the statement storing n resources. Rows of one
// statement are stored in order, so a resource twice in it ends as if stored
// twice (https://sqlite.org/lang_upsert.html).
func upsertResourcesSQL(n int) string {
	return `INSERT INTO resources (source_id, type, id, version_id, last_updated, updated_key, json)
		VALUES (?, ?, ?, ?, ?, ?, ?)` + strings.Repeat(`, (?, ?, ?, ?, ?, ?, ?)`, n-1) + `
		ON CONFLICT (source_id, type, id) DO UPDATE SET version_id = excluded.version_id,
			last_updated = excluded.last_updated, updated_key = excluded.updated_key, json = excluded.json
		WHERE excluded.updated_key = '' OR resources.updated_key = ''
			OR excluded.updated_key >= resources.updated_key`
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
	r, err := db.scanResource(db.queryRowContext(ctx, `SELECT `+resourceColumns+`
		FROM resources WHERE source_id = ? AND type = ? AND id = ?`, sourceID, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Resource{}, fmt.Errorf("storage: resource %s/%s of source %d: %w", typ, id, sourceID, err)
	}
	return r, nil
}

// HasResources reports whether anything of the source is stored.
func (db *DB) HasResources(ctx context.Context, sourceID int64) (bool, error) {
	var has bool
	err := db.queryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM resources WHERE source_id = ?)`, sourceID).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("storage: resources of source %d: %w", sourceID, err)
	}
	return has, nil
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
	rows, err := db.queryContext(ctx, `SELECT `+resourceColumns+` FROM resources
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
