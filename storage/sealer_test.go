package storage

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// fillEveryTable writes one of each kind of row through the API.
func fillEveryTable(t *testing.T, db *DB) (src int64, secrets []string) {
	t.Helper()
	ctx := context.Background()
	src = addSource(t, db, "https://a.example/fhir")
	if err := db.SaveTokens(ctx, src, Tokens{AccessToken: "secret-access", RefreshToken: "secret-refresh",
		IDToken: "secret-idtoken", Scope: "user/Task.rw"}); err != nil {
		t.Fatal(err)
	}
	patient := Resource{Type: "Patient", ID: "p1", JSON: []byte(`{"name":[{"text":"Zelda Quarrington"}]}`)}
	_, row := task("t1", "1", "2025-03-01T10:00:00Z")
	row.Person, row.Need, row.Phones = "Zelda Quarrington", "Utility shutoff notice", []string{"(503) 555-0187"}
	savePage(t, db, src, []Resource{patient}, []Referral{row})
	if _, err := db.Enqueue(ctx, Change{SourceID: src, TaskID: "t1", ToStatus: "rejected",
		Reason: "Zelda moved away"}); err != nil {
		t.Fatal(err)
	}
	return src, []string{"secret-access", "secret-refresh", "secret-idtoken", "Zelda", "zelda", "Utility shutoff", "utility shutoff", "555-0187", "5550187"}
}

// Every protected column is written through seal, with its own table, column
// and row, and read through open; no other column holds a secret or the person.
func TestEveryProtectedColumnGoesThroughTheSealer(t *testing.T) {
	db := openTest(t)
	db.setSealer(tagSealer{})
	ctx := context.Background()
	src, secrets := fillEveryTable(t, db)

	protected := map[column]bool{}
	for _, c := range protectedColumns {
		protected[c] = true
		rows, err := db.sql.Query(fmt.Sprintf(`SELECT %s FROM %s`, c.name, c.table))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var v []byte
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if prefix := "sealed:" + c.table + "." + c.name + "["; !bytes.HasPrefix(v, []byte(prefix)) {
				t.Errorf("%s.%s stored %q, not through seal", c.table, c.name, v)
			}
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s.%s: no rows written; the test does not cover it", c.table, c.name)
		}
	}

	for _, table := range []string{"sources", "tokens", "resources", "referrals", "outbox", "inbox_generation"} {
		rows, err := db.sql.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if protected[column{table, cols[i]}] {
					continue
				}
				for _, s := range secrets {
					if strings.Contains(fmt.Sprintf("%s", v), s) {
						t.Errorf("unprotected column %s.%s holds %q", table, cols[i], s)
					}
				}
			}
		}
		rows.Close()
	}

	// Reads go through open (tagSealer refuses anything else).
	tok, err := db.Tokens(ctx, src)
	if err != nil || tok.AccessToken != "secret-access" || tok.RefreshToken != "secret-refresh" || tok.IDToken != "secret-idtoken" {
		t.Errorf("Tokens = %+v, %v", tok, err)
	}
	if p, err := db.Resource(ctx, src, "Patient", "p1"); err != nil || !bytes.HasPrefix(p.JSON, []byte(`{"name"`)) {
		t.Errorf("Resource JSON = %s, %v", p.JSON, err)
	}
	if r, err := db.Referral(ctx, src, "t1"); err != nil || r.Person != "Zelda Quarrington" || r.Need != "Utility shutoff notice" {
		t.Errorf("Referral = %+v, %v", r, err)
	}
	if cs, err := db.ChangesForTask(ctx, src, "t1"); err != nil || len(cs) != 1 || cs[0].Reason != "Zelda moved away" {
		t.Errorf("ChangesForTask = %+v, %v", cs, err)
	}
	if rs, err := db.Referrals(ctx, InboxFilter{Search: "QUARR"}); err != nil || len(rs) != 1 {
		t.Errorf("search under a sealer found %d, %v; want 1", len(rs), err)
	}
}

// A sealed value copied to another row does not open there: the row key is bound.
func TestSealedValueIsBoundToItsRow(t *testing.T) {
	db := openTest(t)
	db.setSealer(tagSealer{})
	ctx := context.Background()
	src, _ := fillEveryTable(t, db)
	_, other := task("t2", "1", "")
	savePage(t, db, src, nil, []Referral{other})
	if _, err := db.sql.Exec(`UPDATE referrals SET person = (SELECT person FROM referrals WHERE task_id = 't1')
		WHERE task_id = 't2'`); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Referral(ctx, src, "t2"); err == nil {
		t.Fatalf("a person sealed for t1 opened on t2: %q", r.Person)
	}
}

// A file without a vault (a new one, or one from before encryption at rest)
// opens with the plaintext sealer, until EncryptFile encrypts it.
func TestAFileWithoutAVaultOpensInPlaintext(t *testing.T) {
	db := openTest(t)
	if _, ok := db.sealer().(plaintext); !ok {
		t.Fatalf("sealer is %T, want plaintext", db.sealer())
	}
}
