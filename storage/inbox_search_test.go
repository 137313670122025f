package storage

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// storedPhones opens every row's sealed phones, by rowKey.
func storedPhones(t testing.TB, db *DB) map[string]string {
	t.Helper()
	rows, err := db.sql.Query(`SELECT source_id, task_id, phones FROM referrals`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var src int64
		var task string
		var sealed []byte
		if err := rows.Scan(&src, &task, &sealed); err != nil {
			t.Fatal(err)
		}
		p, err := db.openPhones(src, task, sealed)
		if err != nil {
			t.Fatalf("phones of %s: %v", task, err)
		}
		out[referralRowKey(src, task)] = p
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSearchTextFoldsCaseAndAccents(t *testing.T) {
	for in, want := range map[string]string{
		"Rosa López":          "rosa lopez",
		"JOHN Smith":          "john smith",
		"ŁÓDŹ":                "lodz",
		"Straße":              "strasse",
		"Ødegård Åse":         "odegard ase",
		"Zoë Brontë":          "zoe bronte",
		"İlker Çelik":         "ilker celik",
		"Nguyễn Thị Đào":      "nguyen thi dao",
		"ﬁnancial":            "financial", // a ligature, spelled out (NFKD)
		"Food — Rent\nClinic": "food — rent\nclinic",
	} {
		if got := searchText(in); got != want {
			t.Errorf("searchText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSearchTellsPhoneNumbersFromText(t *testing.T) {
	for _, tt := range []struct{ in, text, digits string }{
		{"  Lopez ", "lopez", ""},
		{"5550112", "5550112", "5550112"},
		{"555-0112", "555-0112", "5550112"},
		{"(503) 555-0112", "(503) 555-0112", "5035550112"},
		{"+1 503.555.0112", "+1 503.555.0112", "15035550112"},
		{"Apt 12", "apt 12", ""},   // mostly letters: text
		{"Route 9", "route 9", ""}, // a need or requester with a number
		{"", "", ""},
	} {
		if got := parseSearch(tt.in); got != (search{text: tt.text, digits: tt.digits}) {
			t.Errorf("parseSearch(%q) = %+v, want text %q digits %q", tt.in, got, tt.text, tt.digits)
		}
	}
}

func TestPhoneDigitsKeepsEachNumberApart(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "",
		"(503) 555-0112":                  "5035550112",
		"5\nno digits\n\n+1 971 555 0100": "5 19715550100",
		"no digits":                       "",
	} {
		if got := phoneDigits(in); got != want {
			t.Errorf("phoneDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

// peopleFixture stores referrals for people whose names have accents and
// whose phone numbers are written in different ways.
func peopleFixture(t *testing.T, db *DB) int64 {
	t.Helper()
	src := addSource(t, db, "https://a.example/fhir")
	people := []struct {
		task, person string
		phones       []string
	}{
		{"rosa", "Rosa López", []string{"(503) 555-0112"}},
		{"jose", "JOSÉ GARCÍA", []string{"503.555.0199"}},
		{"ana", "Ana Lopes", []string{"+1 971 555 0100", "5035550142"}},
		{"lech", "Lech Wałęsa", nil},
	}
	var rows []Referral
	for _, p := range people {
		_, row := task(p.task, "1", "2025-03-01T10:00:00Z")
		row.Person, row.Phones = p.person, p.phones
		rows = append(rows, row)
	}
	savePage(t, db, src, nil, rows)
	return src
}

var peopleSearches = []struct {
	search string
	want   []string // task ids, in received order (all received at once: newest stored first)
}{
	{"lopez", []string{"rosa"}},
	{"LÓPEZ", []string{"rosa"}},
	{"rosa lópez", []string{"rosa"}},
	{"garcia", []string{"jose"}},
	{"josé garcía", []string{"jose"}},
	{"walesa", []string{"lech"}},
	{"lope", []string{"ana", "rosa"}},
	{"5550112", []string{"rosa"}},
	{"555-0112", []string{"rosa"}},
	{"(503) 555-0112", []string{"rosa"}},
	{"503 555 0112", []string{"rosa"}},
	{"555-01", []string{"ana", "jose", "rosa"}},
	{"(503)", []string{"ana", "jose", "rosa"}}, // Ana's second number
	{"971-555-0100", []string{"ana"}},          // her first
	{"0100 5035", nil},                         // never across two numbers
	{"clinic", []string{"lech", "ana", "jose", "rosa"}},
}

// Search finds people by any case and accents of their name, and by the
// digits of any of their phone numbers however they are written; the
// index loaded from the file (sealed) finds the same as the one kept up to
// date in memory.
func TestSearchFindsPeopleByNameAndPhone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	loadIndex(t, db) // written with the index loaded: updated in place
	src := peopleFixture(t, db)
	fresh := openAt(t, path)
	ctx := context.Background()
	for _, store := range []*DB{db, fresh} {
		for _, tt := range peopleSearches {
			rs, err := store.Referrals(ctx, InboxFilter{Search: tt.search, SourceID: src})
			if err != nil {
				t.Fatal(err)
			}
			if got := taskIDs(rs); !slices.Equal(got, tt.want) {
				t.Errorf("search %q found %v, want %v (fresh index: %v)", tt.search, got, tt.want, store == fresh)
			}
		}
	}
}

// In an encrypted store the phones are sealed like the name, and the index
// opens them: a phone number still finds its person.
func TestSearchByPhoneInAnEncryptedStore(t *testing.T) {
	path, key, _, _ := encryptedStore(t) // its one referral's person has (503) 555-0187
	db := openAt(t, path, WithDataKey(key))
	for _, q := range []string{"555-0187", "(503) 555-0187", "zelda"} {
		if rs, err := db.Referrals(context.Background(), InboxFilter{Search: q}); err != nil || len(rs) != 1 {
			t.Errorf("search %q in the encrypted store found %d, %v; want its one referral", q, len(rs), err)
		}
	}
}
