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
	chunks, err := db.resourceChunks(r.SourceID, []Resource{r})
	if err != nil {
		return err
	}
	return storeResourceChunks(ctx, tx, chunks)
}

// resourcesPerInsert is how many rows one INSERT of a resourceChunk stores:
// one statement per row cost SaveSyncPage ~5% more CPU; SQLite binds at most
// 32 766 parameters.
const resourcesPerInsert = 100

// resourceChunk is one statement's worth of resources to store: the
// arguments of upsertResourcesSQL(n), sealed; first names its first resource.
type resourceChunk struct {
	n     int
	first string
	args  []any
}

// resourceChunks checks and seals the resources of one source (a SourceID of
// 0 means sourceID) and cuts them into statements; storeResourceChunks
// stores them as upsertResource would each, in order.
func (db *DB) resourceChunks(sourceID int64, rs []Resource) ([]resourceChunk, error) {
	var out []resourceChunk
	for len(rs) > 0 {
		n := rowsPerStatement(len(rs), resourcesPerInsert)
		c := resourceChunk{n: n, first: rs[0].Type + "/" + rs[0].ID, args: make([]any, 1, 1+6*n)}
		c.args[0] = sourceID
		for _, r := range rs[:n] {
			if r.Type == "" || r.ID == "" {
				return nil, fmt.Errorf("resource %q/%q: empty type or id", r.Type, r.ID)
			}
			if len(r.JSON) == 0 {
				return nil, fmt.Errorf("resource %s/%s: empty JSON", r.Type, r.ID)
			}
			if r.SourceID != 0 && r.SourceID != sourceID {
				return nil, fmt.Errorf("resource %s/%s belongs to source %d", r.Type, r.ID, r.SourceID)
			}
			sealed, err := db.sealBytes(colResourceJSON, resourceRowKey(sourceID, r.Type, r.ID), r.JSON)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, r.Type, r.ID, r.VersionID, r.LastUpdated, instantKey(r.LastUpdated), sealed)
		}
		out = append(out, c)
		rs = rs[n:]
	}
	return out, nil
}

func storeResourceChunks(ctx context.Context, tx *txn, chunks []resourceChunk) error {
	for _, c := range chunks {
		if _, err := tx.ExecContext(ctx, upsertResourcesSQL(c.n), c.args...); err != nil {
			if c.n == 1 {
				return fmt.Errorf("resource %s: %w", c.first, err)
			}
			return fmt.Errorf("resources %s…: %w", c.first, err)
		}
	}
	return nil
}

// upsertResourcesSQL is the statement storing n resources of the source ?1.
// Rows of one statement are stored in order, so a resource twice in it ends
// as if stored twice (https://sqlite.org/lang_upsert.html).
func upsertResourcesSQL(n int) string {
	return `INSERT INTO resources (source_id, type, id, version_id, last_updated, updated_key, json)
		VALUES (?1, ?, ?, ?, ?, ?, ?)` + strings.Repeat(`, (?1, ?, ?, ?, ?, ?, ?)`, n-1) + `
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
// not stored are absent from the map, and so are those stored damaged
// (ErrDamaged): a sync fetches them again, and its copy replaces theirs.
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
		if errors.Is(err, ErrDamaged) {
			continue
		}
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
