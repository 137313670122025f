package storage

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// inboxIndex holds, in memory, what inbox queries filter, sort and search on
// for every referral, in received order. Search has to live here: person and
// need are sealed on disk, so SQL cannot match them once sealing encrypts. It
// is loaded on the first query that needs it, opening person and need through
// the sealer once, and kept current by the write transactions that change
// referral rows (write, commitInbox). With 100 000 referrals a search's count
// or first page takes 1–6 ms here against 35–90 ms for SQL scanning the
// sealed search texts it replaces; loading takes ~0.4 s and ~12 MB.
//
// Consistency: a write transaction that changes referrals takes mu for writing
// around its commit and applies its changes before releasing it; a query holds
// mu for reading from choosing its ids to reading their rows, so it sees no
// commit of this process in between. Other processes' commits (a CLI sync
// while the window is open) are noticed through inbox_generation, which every
// such transaction increments, and make the next query reload the index.
type inboxIndex struct {
	mu      sync.RWMutex
	loaded  bool
	gen     int64        // inbox_generation the entries reflect
	entries []inboxEntry // newest first: authored desc, id desc (newestFirst)
	words   wordTable
	loads   int // times read from the file, for tests: writes update it in place
	// ready mirrors loaded for routing queries without Search, which use the
	// index only once a search has paid for loading it (inbox.go).
	ready atomic.Bool
}

// inboxEntry is one referral's indexed fields: ~90 bytes plus the authored
// key, the person's name and phone digits; the other texts are shared in words.
type inboxEntry struct {
	id, source int64
	authored   string // authored_key
	person     string // searchText
	phones     string // phoneDigits
	// Indexes in words: need and requester as searchText, the others as stored.
	need, requester, status, category uint32
	statusRank, priorityRank          uint8
}

// before reports whether a comes before b in received order (newestFirst).
func (a *inboxEntry) before(b *inboxEntry) bool {
	if a.authored != b.authored {
		return a.authored > b.authored
	}
	return a.id > b.id
}

func compareEntries(a, b inboxEntry) int {
	if a.before(&b) {
		return -1
	}
	if b.before(&a) {
		return 1
	}
	return 0
}

// wordTable interns the texts many referrals share (statuses, categories,
// needs, requesters), so that each is stored and searched once.
type wordTable struct {
	strs []string
	ids  map[string]uint32
	raw  map[string]uint32 // a need or requester as stored: its searchText's id (folded)
	live int               // distinct words in use at the last compaction
}

func (w *wordTable) id(s string) uint32 {
	if id, ok := w.ids[s]; ok {
		return id
	}
	if w.ids == nil {
		w.ids = make(map[string]uint32)
	}
	id := uint32(len(w.strs))
	w.strs = append(w.strs, s)
	w.ids[s] = id
	return id
}

// folded is the id of searchText(raw), folding each distinct text once:
// needs and requesters repeat over many referrals, and most needs hold a
// dash that is not ASCII, which made folding them a quarter of a load.
func (w *wordTable) folded(raw string) uint32 {
	if id, ok := w.raw[raw]; ok {
		return id
	}
	if w.raw == nil {
		w.raw = make(map[string]uint32)
	}
	id := w.id(searchText(raw))
	w.raw[raw] = id
	return id
}

// inboxRow is what a write transaction tells the index about one stored referral.
type inboxRow struct {
	id, source                                             int64
	authoredKey, person, need, requester, status, category string
	phones                                                 string // one per line, as sealed
	statusRank, priorityRank                               uint8
}

// inboxChanges are a write transaction's changes to referral rows, applied to
// the index when it commits: first the deleted sources, then the rows in order.
type inboxChanges struct {
	deletedSources []int64
	rows           []inboxRow
}

func (t *txn) inboxChanged() *inboxChanges {
	if t.inbox == nil {
		t.inbox = &inboxChanges{}
	}
	return t.inbox
}

// entry interns r's texts.
func (x *inboxIndex) entry(r inboxRow) inboxEntry {
	return inboxEntry{id: r.id, source: r.source, authored: r.authoredKey,
		person: searchText(r.person), phones: phoneDigits(r.phones),
		need: x.words.folded(r.need), requester: x.words.folded(r.requester),
		status: x.words.id(r.status), category: x.words.id(r.category),
		statusRank: r.statusRank, priorityRank: r.priorityRank}
}

// commitInbox commits tx, which changed referral rows, and brings the index up
// to date with it. On error tx is rolled back.
func (db *DB) commitInbox(ctx context.Context, tx *txn) error {
	var gen int64
	if err := tx.QueryRowContext(ctx, `UPDATE inbox_generation SET n = n + 1 RETURNING n`).Scan(&gen); err != nil {
		tx.Rollback()
		return fmt.Errorf("inbox generation: %w", err)
	}
	x := &db.inbox
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := tx.Commit(); err != nil {
		x.unload() // whether anything was committed is unknown
		return err
	}
	if !x.loaded {
		return nil
	}
	if x.gen != gen-1 { // another process wrote since the index was read
		x.unload()
		return nil
	}
	x.apply(tx.inbox)
	x.gen = gen
	return nil
}

func (x *inboxIndex) unload() {
	x.loaded = false
	x.ready.Store(false)
	x.entries, x.words = nil, wordTable{}
}

// apply merges c into the entries: O(entries + rows·log rows), without
// reallocating the entries when they have room.
func (x *inboxIndex) apply(c *inboxChanges) {
	gone := make(map[int64]bool, len(c.rows))
	var fresh []inboxEntry
	for i := len(c.rows) - 1; i >= 0; i-- { // the last write of a row wins
		r := c.rows[i]
		if !gone[r.id] {
			gone[r.id] = true
			fresh = append(fresh, x.entry(r))
		}
	}
	kept := x.entries[:0]
	for _, e := range x.entries {
		if !gone[e.id] && !slices.Contains(c.deletedSources, e.source) {
			kept = append(kept, e)
		}
	}
	clear(x.entries[len(kept):]) // drop the strings of removed entries
	slices.SortFunc(fresh, compareEntries)
	// Merge from the back, so that kept can be extended in place.
	m, k := len(kept), len(fresh)
	out := slices.Grow(kept, k)[:m+k]
	for i, j, w := m-1, k-1, m+k-1; j >= 0; w-- {
		if i >= 0 && fresh[j].before(&out[i]) {
			out[w] = out[i]
			i--
		} else {
			out[w] = fresh[j]
			j--
		}
	}
	x.entries = out
	if len(x.words.strs) > 2*x.words.live+1024 {
		x.compact()
	}
}

// compact drops the words no entry uses any more.
func (x *inboxIndex) compact() {
	old := x.words.strs
	x.words = wordTable{}
	for i := range x.entries {
		e := &x.entries[i]
		e.need, e.requester = x.words.id(old[e.need]), x.words.id(old[e.requester])
		e.status, e.category = x.words.id(old[e.status]), x.words.id(old[e.category])
	}
	x.words.live = len(x.words.strs)
}

// PrepareSearch loads the inbox index now, so that the first search does not
// wait for it (~0.4 s for 100 000 referrals); the window may call it in the
// background once the first inbox shows. Searching loads it anyway.
func (db *DB) PrepareSearch(ctx context.Context) error {
	if err := db.withInbox(ctx, func(*inboxIndex) error { return nil }); err != nil {
		return fmt.Errorf("storage: prepare search: %w", err)
	}
	return nil
}

// withInbox runs fn with the index loaded, current, and held for reading.
func (db *DB) withInbox(ctx context.Context, fn func(x *inboxIndex) error) error {
	x := &db.inbox
	justLoaded := false
	for {
		x.mu.RLock()
		if x.loaded {
			current := justLoaded // once reloaded, another process's later commit waits for the next query
			if !current {
				gen, err := inboxGeneration(ctx, db.sql)
				if err != nil {
					x.mu.RUnlock()
					return err
				}
				current = gen == x.gen
			}
			if current {
				defer x.mu.RUnlock()
				return fn(x)
			}
		}
		x.mu.RUnlock()
		if err := db.loadInbox(ctx); err != nil {
			return err
		}
		justLoaded = true
	}
}

func inboxGeneration(ctx context.Context, q querier) (int64, error) {
	var gen int64
	if err := q.QueryRowContext(ctx, `SELECT n FROM inbox_generation`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("inbox generation: %w", err)
	}
	return gen, nil
}

// loadInbox reads the index from the referral rows, unless it is current.
func (db *DB) loadInbox(ctx context.Context) error {
	x := &db.inbox
	x.mu.Lock()
	defer x.mu.Unlock()
	// The generation is read first: a commit of another process between the
	// two reads makes the index look older than it is, never newer.
	gen, err := inboxGeneration(ctx, db.sql)
	if err != nil {
		return err
	}
	if x.loaded && x.gen == gen {
		return nil
	}
	x.unload()
	defer func() {
		if !x.loaded {
			x.unload() // what a failed load interned
		}
	}()
	var n int // to size the entries once: growing them took a third of the load
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
		return fmt.Errorf("load inbox index: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, source_id, task_id, status, status_rank, priority_rank,
		person, need, phones, category, requester, authored_key FROM referrals`)
	if err != nil {
		return fmt.Errorf("load inbox index: %w", err)
	}
	defer rows.Close()
	entries := make([]inboxEntry, 0, n+n/16)
	for rows.Next() {
		var r inboxRow
		var taskID string
		var person, need, phones []byte
		if err := rows.Scan(&r.id, &r.source, &taskID, &r.status, &r.statusRank, &r.priorityRank, &person, &need,
			&phones, &r.category, &r.requester, &r.authoredKey); err != nil {
			return fmt.Errorf("load inbox index: %w", err)
		}
		if r.person, r.need, _, err = db.openPersonNeed(r.source, taskID, person, need); err != nil {
			return fmt.Errorf("load inbox index: %w", err)
		}
		if r.phones, err = db.openPhones(r.source, taskID, phones); err != nil {
			return fmt.Errorf("load inbox index: %w", err)
		}
		entries = append(entries, x.entry(r))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load inbox index: %w", err)
	}
	slices.SortFunc(entries, compareEntries)
	x.entries, x.gen, x.loaded = entries, gen, true
	x.loads++
	x.words.live = len(x.words.strs)
	x.ready.Store(true)
	return nil
}
