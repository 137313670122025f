package storage

// Answering inbox queries from the in-memory index (inbox_index.go): which
// referrals match a filter and search, how many, in which order.

import (
	"fmt"
	"slices"
	"strings"
)

// inboxMatch is one query's filter, resolved against the index's words.
type inboxMatch struct {
	x        *inboxIndex
	statuses []uint32
	category uint32
	query    string  // lowercase; "" = no search
	seen     []uint8 // per word: 0 not yet tested against query, 1 contains it, 2 does not
}

// matcher resolves f; ok is false when f can match nothing (a status or
// category no referral has).
func (x *inboxIndex) matcher(f InboxFilter) (m inboxMatch, ok bool) {
	m = inboxMatch{x: x, query: searchQuery(f.Search)}
	for _, s := range f.Statuses {
		if id, found := x.words.ids[s]; found {
			m.statuses = append(m.statuses, id)
		}
	}
	if len(f.Statuses) > 0 && len(m.statuses) == 0 {
		return m, false
	}
	if f.Category != "" {
		id, found := x.words.ids[f.Category]
		if !found {
			return m, false
		}
		m.category = id
	}
	if m.query != "" {
		m.seen = make([]uint8, len(x.words.strs))
	}
	return m, true
}

func (m *inboxMatch) matches(e *inboxEntry, f *InboxFilter) bool {
	if m.statuses != nil && !slices.Contains(m.statuses, e.status) {
		return false
	}
	if f.SourceID != 0 && e.source != f.SourceID {
		return false
	}
	if f.Category != "" && e.category != m.category {
		return false
	}
	if m.query == "" {
		return true
	}
	if strings.Contains(m.query, "\n") { // may span the parts: match the whole text, as stored before
		return strings.Contains(e.person+"\n"+m.x.words.strs[e.need]+"\n"+m.x.words.strs[e.requester], m.query)
	}
	return strings.Contains(e.person, m.query) || m.wordContains(e.need) || m.wordContains(e.requester)
}

func (m *inboxMatch) wordContains(id uint32) bool {
	if m.seen[id] == 0 {
		m.seen[id] = 2
		if strings.Contains(m.x.words.strs[id], m.query) {
			m.seen[id] = 1
		}
	}
	return m.seen[id] == 1
}

// count counts the entries f selects.
func (x *inboxIndex) count(f InboxFilter) int {
	m, ok := x.matcher(f)
	if !ok {
		return 0
	}
	n := 0
	for i := range x.entries {
		if m.matches(&x.entries[i], &f) {
			n++
		}
	}
	return n
}

// ids returns the ids of the referrals f selects, in f's order, paged.
func (x *inboxIndex) ids(f InboxFilter) ([]int64, error) {
	var rank func(e *inboxEntry) uint8
	ranks := MaxRank + 1
	switch f.Order {
	case NewestFirst:
		rank = func(*inboxEntry) uint8 { return 0 }
		ranks = 1
	case ByPriorityRank:
		rank = func(e *inboxEntry) uint8 { return e.priorityRank }
	case ByStatusRank:
		rank = func(e *inboxEntry) uint8 { return e.statusRank }
	default:
		return nil, fmt.Errorf("unknown order %d", f.Order)
	}
	m, ok := x.matcher(f)
	if !ok {
		return nil, nil
	}
	offset := max(f.Offset, 0)
	want := len(x.entries) // per rank, at most offset+limit are needed
	if f.Limit > 0 {
		want = offset + f.Limit
	}
	// Entries are in received order, the tie-break of every sort: a stable
	// bucket per rank gives the sort's order in one pass.
	buckets := make([][]int64, ranks)
	for i := range x.entries {
		e := &x.entries[i]
		if !m.matches(e, &f) {
			continue
		}
		r := rank(e)
		if len(buckets[r]) < want {
			buckets[r] = append(buckets[r], e.id)
		}
		if len(buckets[0]) == want { // the first rank alone fills the page
			break
		}
	}
	var out []int64
	for _, b := range buckets {
		if offset >= len(b) {
			offset -= len(b)
			continue
		}
		b = b[offset:]
		offset = 0
		if f.Limit > 0 && len(out)+len(b) > f.Limit {
			b = b[:f.Limit-len(out)]
		}
		out = append(out, b...)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

// searchQuery is what Search matches: trimmed and lowercased.
func searchQuery(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
