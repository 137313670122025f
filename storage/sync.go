package storage

import (
	"context"
	"fmt"
)

// SaveCounts tells what a sync page did to referral Tasks: New were not stored
// before, Updated changed versionId or lastUpdated, Unchanged did not.
type SaveCounts struct{ New, Updated, Unchanged int }

// SyncPage is one page of a sync made ready to store by PrepareSyncPage:
// checked, sealed and cut into statements, so that the one writer of the
// file only runs them: the writer is what a sync waits on, and preparing
// (sealing included) can run for several pages at once.
type SyncPage struct {
	source    int64
	resources []resourceChunk
	referrals []referralChunk
}

// PrepareSyncPage gets a page of a sync ready for SavePreparedPage; it may
// run on any goroutine, while another page is being stored. A row's SourceID
// of 0 means sourceID. Any bad row fails the whole page.
func (db *DB) PrepareSyncPage(sourceID int64, res []Resource, refs []Referral) (*SyncPage, error) {
	p := &SyncPage{source: sourceID}
	var err error
	if p.resources, err = db.resourceChunks(sourceID, res); err == nil {
		p.referrals, err = db.referralChunks(sourceID, refs)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: save sync page of source %d: %w", sourceID, err)
	}
	return p, nil
}

// SavePreparedPage stores one page of a sync in one transaction: it upserts
// the resources (keeping the newer by lastUpdated when both have one) and the
// referral rows (keeping ReceivedAt and SeenAt of stored rows).
func (db *DB) SavePreparedPage(ctx context.Context, p *SyncPage) (SaveCounts, error) {
	var c SaveCounts
	err := db.writeBulk(ctx, func(tx *txn) error {
		if err := storeResourceChunks(ctx, tx, p.resources); err != nil {
			return err
		}
		var err error
		c, err = storeReferralChunks(ctx, tx, p.source, p.referrals)
		return err
	})
	if isForeignKey(err) {
		err = fmt.Errorf("source: %w", ErrNotFound)
	}
	if err != nil {
		return SaveCounts{}, fmt.Errorf("storage: save sync page of source %d: %w", p.source, err)
	}
	return c, nil
}

// SaveSyncPage prepares and stores one page of a sync (PrepareSyncPage,
// SavePreparedPage).
func (db *DB) SaveSyncPage(ctx context.Context, sourceID int64, res []Resource, refs []Referral) (SaveCounts, error) {
	p, err := db.PrepareSyncPage(sourceID, res, refs)
	if err != nil {
		return SaveCounts{}, err
	}
	return db.SavePreparedPage(ctx, p)
}
