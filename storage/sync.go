package storage

import (
	"context"
	"fmt"
)

// SaveCounts tells what a sync page did to referral Tasks: New were not stored
// before, Updated changed versionId or lastUpdated, Unchanged did not.
type SaveCounts struct{ New, Updated, Unchanged int }

// SaveSyncPage stores one page of a sync in one transaction: it upserts the
// resources (keeping the newer by lastUpdated when both have one) and the
// referral rows (keeping ReceivedAt and SeenAt of stored rows). Any bad row
// stores nothing of the page. A row's SourceID of 0 means sourceID.
func (db *DB) SaveSyncPage(ctx context.Context, sourceID int64, res []Resource, refs []Referral) (SaveCounts, error) {
	var c SaveCounts
	err := db.writeBulk(ctx, func(tx *txn) error {
		own := make([]Resource, len(res))
		for i, r := range res {
			if r.SourceID == 0 {
				r.SourceID = sourceID
			}
			if r.SourceID != sourceID {
				return fmt.Errorf("resource %s/%s belongs to source %d", r.Type, r.ID, r.SourceID)
			}
			own[i] = r
		}
		if err := db.upsertResources(ctx, tx, own); err != nil {
			return err
		}
		var err error
		c, err = db.upsertReferrals(ctx, tx, sourceID, refs)
		return err
	})
	if isForeignKey(err) {
		err = fmt.Errorf("source: %w", ErrNotFound)
	}
	if err != nil {
		return SaveCounts{}, fmt.Errorf("storage: save sync page of source %d: %w", sourceID, err)
	}
	return c, nil
}
