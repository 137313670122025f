package storage

// Answering inbox queries from the in-memory index (inbox_index.go): which
// referrals match a filter and search, how many, in which order.

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// inboxMatch is one query's filter, resolved against the index's words.
type inboxMatch struct {
	x        *inboxIndex
	statuses []uint32
	category uint32
	query    search
	seen     []uint8 // per word: 0 not yet tested against query, 1 contains it, 2 does not
}

// matcher resolves f; ok is false when f can match nothing (a status or
// category no referral has).
func (x *inboxIndex) matcher(f InboxFilter) (m inboxMatch, ok bool) {
	m = inboxMatch{x: x, query: parseSearch(f.Search)}
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
	if m.query.text != "" {
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
	q := m.query.text
	switch {
	case q == "":
		return true
	case m.query.digits != "":
		return strings.Contains(e.phones, m.query.digits)
	case strings.Contains(q, "\n"): // may span the parts: match the whole text, as stored before
		return strings.Contains(e.person+"\n"+m.x.words.strs[e.need]+"\n"+m.x.words.strs[e.requester], q)
	}
	return strings.Contains(e.person, q) || m.wordContains(e.need) || m.wordContains(e.requester)
}

func (m *inboxMatch) wordContains(id uint32) bool {
	if m.seen[id] == 0 {
		m.seen[id] = 2
		if strings.Contains(m.x.words.strs[id], m.query.text) {
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

// countByStatus counts the entries f selects per status, whatever f.Statuses.
func (x *inboxIndex) countByStatus(f InboxFilter) map[string]int {
	f.Statuses = nil
	out := map[string]int{}
	m, ok := x.matcher(f)
	if !ok {
		return out
	}
	per := make([]int, len(x.words.strs))
	for i := range x.entries {
		if e := &x.entries[i]; m.matches(e, &f) {
			per[e.status]++
		}
	}
	for id, n := range per {
		if n > 0 {
			out[x.words.strs[id]] = n
		}
	}
	return out
}

// ids returns the ids of the referrals f selects, in f's order, paged.
func (x *inboxIndex) ids(f InboxFilter) ([]int64, error) {
	var rank func(e *inboxEntry) uint8
	ranks := MaxRank + 1
	switch f.Order {
	case NewestFirst, OldestFirst:
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
	// bucket per rank gives the sort's order in one pass (backwards for OldestFirst).
	buckets := make([][]int64, ranks)
	n := len(x.entries)
	for k := range n {
		i := k
		if f.Order == OldestFirst {
			i = n - 1 - k
		}
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

// search is what a filter's Search matches, folded once per query.
type search struct {
	text string // searchText of the trimmed query; "" = no search
	// digits: a query mostly of digits ("555-0112", "(503) 555-0112") is a
	// phone number, matched by its digits alone against phoneDigits.
	digits string
}

func parseSearch(s string) search {
	q := search{text: searchText(strings.TrimSpace(s))}
	digits, others := 0, 0
	for _, r := range q.text {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case !unicode.IsSpace(r):
			others++
		}
	}
	if digits > others {
		q.digits = digitsOf(q.text)
	}
	return q
}

// searchText folds s for matching, both when indexing and for the query:
// compatibility forms spelled out and accents dropped (NFKD, then no
// combining marks), lowercase, and the letters that do not decompose
// spelled as a case worker types them, so that "lopez" finds "Rosa López",
// "lodz" "Łódź" and "strasse" "Straße".
func searchText(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii { // most names, needs and requesters: no need to normalise
		return strings.ToLower(s)
	}
	s = norm.NFKD.String(s)
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return undecomposed.Replace(string(b))
}

// undecomposed spells the lowercase letters NFKD leaves whole as their
// nearest Latin letters; ς is σ at a word's end.
var undecomposed = strings.NewReplacer("ß", "ss", "ł", "l", "ø", "o", "đ", "d", "ð", "d", "ħ", "h", "ı", "i",
	"æ", "ae", "œ", "oe", "þ", "th", "ς", "σ")
