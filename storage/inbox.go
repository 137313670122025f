package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Order is how inbox rows are ordered. Every order but OldestFirst ends
// newest first (by authoredOn, then the newest stored).
type Order int

const (
	NewestFirst    Order = iota // by authoredOn, newest first (the default)
	ByStatusRank                // Referral.StatusRank, lowest first
	ByPriorityRank              // Referral.PriorityRank, lowest first
	OldestFirst                 // NewestFirst backwards
)

// InboxFilter selects and orders inbox rows.
type InboxFilter struct {
	Statuses []string
	SourceID int64 // 0 = all
	Category string
	Search   string // person, need, requester (searchText), or phone digits (parseSearch)
	Order    Order
	Limit    int // 0 = no limit
	Offset   int
}

// Referrals returns the inbox rows f selects, in f's order. A search is
// answered by the in-memory inbox index (inbox_index.go), and so is every
// query once a search has loaded it, being faster than SQL; before that, SQL
// answers. Either way only the page's whole rows are read.
func (db *DB) Referrals(ctx context.Context, f InboxFilter) ([]Referral, error) {
	out, err := inboxQuery(ctx, db, f, func(x *inboxIndex) ([]Referral, error) {
		ids, err := x.ids(f)
		if err != nil {
			return nil, err
		}
		return db.referralsByID(ctx, ids)
	}, db.referralsSQL)
	if err != nil {
		return nil, fmt.Errorf("storage: referrals: %w", err)
	}
	return out, nil
}

// CountReferrals counts the rows f selects, ignoring Order, Limit and Offset.
func (db *DB) CountReferrals(ctx context.Context, f InboxFilter) (int, error) {
	n, err := inboxQuery(ctx, db, f, func(x *inboxIndex) (int, error) { return x.count(f), nil }, db.countSQL)
	if err != nil {
		return 0, fmt.Errorf("storage: count referrals: %w", err)
	}
	return n, nil
}

// CountByStatus counts the rows f selects per status, whatever f.Statuses
// (and ignoring Order, Limit and Offset): every inbox view's count in one
// pass, which a search can afford on each keystroke.
func (db *DB) CountByStatus(ctx context.Context, f InboxFilter) (map[string]int, error) {
	out, err := inboxQuery(ctx, db, f, func(x *inboxIndex) (map[string]int, error) { return x.countByStatus(f), nil },
		db.countByStatusSQL)
	if err != nil {
		return nil, fmt.Errorf("storage: count referrals by status: %w", err)
	}
	return out, nil
}

// inboxQuery answers f from the index, holding it for reading, when
// useInboxIndex says so, else in SQL.
func inboxQuery[T any](ctx context.Context, db *DB, f InboxFilter, byIndex func(*inboxIndex) (T, error),
	bySQL func(context.Context, InboxFilter) (T, error)) (T, error) {
	if !db.useInboxIndex(f) {
		return bySQL(ctx, f)
	}
	var out T
	err := db.withInbox(ctx, func(x *inboxIndex) error {
		var err error
		out, err = byIndex(x)
		return err
	})
	return out, err
}

func (db *DB) countByStatusSQL(ctx context.Context, f InboxFilter) (map[string]int, error) {
	f.Statuses = nil
	where, args := f.where()
	rows, err := db.sql.QueryContext(ctx, `SELECT r.status, count(*) FROM referrals r`+where+` GROUP BY r.status`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = n
	}
	return out, rows.Err()
}

// useInboxIndex: a search needs the index; other queries use it once loaded.
// Loading it for them would add its ~0.4 s to the first inbox at start.
func (db *DB) useInboxIndex(f InboxFilter) bool {
	return parseSearch(f.Search).text != "" || db.inbox.ready.Load()
}

// referralsByID reads the rows of ids, in that order. A row deleted meanwhile
// by another process is left out.
func (db *DB) referralsByID(ctx context.Context, ids []int64) ([]Referral, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(ids) // one parameter, however many ids
	if err != nil {
		return nil, err
	}
	return db.queryReferrals(ctx, referralSelect+`, json_each(?) j WHERE r.id = j.value ORDER BY j.key`, string(list))
}

// referralsSQL answers Referrals for a filter without Search. A page (Limit >
// 0) is chosen from the narrow indexes first and only its rows are read:
// sorting whole rows of a large inbox to keep 50 costs ~100x more.
func (db *DB) referralsSQL(ctx context.Context, f InboxFilter) ([]Referral, error) {
	where, args := f.where()
	order, err := f.order()
	if err != nil {
		return nil, err
	}
	var query string
	if f.Limit > 0 {
		query = referralSelect + ` WHERE r.id IN (SELECT r.id FROM referrals r` + where + order +
			` LIMIT ? OFFSET ?)` + order
		args = append(args, f.Limit, max(f.Offset, 0))
	} else {
		query = referralSelect + where + order + ` LIMIT -1 OFFSET ?`
		args = append(args, max(f.Offset, 0))
	}
	return db.queryReferrals(ctx, query, args...)
}

func (db *DB) countSQL(ctx context.Context, f InboxFilter) (int, error) {
	where, args := f.where()
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM referrals r`+where, args...).Scan(&n)
	return n, err
}

// where is f's condition but Search, which only the inbox index answers.
func (f InboxFilter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		// One placeholder per status (a handful): the planner estimates a
		// literal list from the index statistics, a json_each list it cannot.
		conds = append(conds, `r.status IN (?`+strings.Repeat(`, ?`, len(f.Statuses)-1)+`)`)
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.SourceID != 0 {
		// Unary + keeps SQLite from reading through a source index: an
		// organization has a handful of sources, often one holding every row.
		conds = append(conds, `+r.source_id = ?`)
		args = append(args, f.SourceID)
	}
	if f.Category != "" {
		conds = append(conds, `r.category = ?`)
		args = append(args, f.Category)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// The id tie-break (newest stored first) is in every index, so paging is stable and cheap.
const newestFirst = `r.authored_key DESC, r.id DESC`

func (f InboxFilter) order() (string, error) {
	switch f.Order {
	case NewestFirst:
		return ` ORDER BY ` + newestFirst, nil
	case OldestFirst:
		return ` ORDER BY r.authored_key, r.id`, nil
	case ByPriorityRank:
		return ` ORDER BY r.priority_rank, ` + newestFirst, nil
	case ByStatusRank:
		return ` ORDER BY r.status_rank, ` + newestFirst, nil
	}
	return "", fmt.Errorf("unknown order %d", f.Order)
}
