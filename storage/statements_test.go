package storage

import (
	"context"
	"fmt"
	"testing"
)

// Statements are kept up to the bound; past it, queries still run, prepared
// for the one use.
func TestStatementsKeptUpToTheBound(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for i := range maxStatements + 6 {
		var n int
		if err := db.queryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: got %d, %v", i, n, err)
		}
	}
	if got := len(db.statements.m); got != maxStatements {
		t.Fatalf("%d statements kept, want the bound %d", got, maxStatements)
	}
	st, err := db.stmt(ctx, "SELECT 'one more'")
	if st != nil || err != nil {
		t.Fatalf("past the bound stmt = %v, %v; want none kept", st, err)
	}
}

// A kept statement serves one transaction after another.
func TestStatementKeptAcrossTransactions(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	for p := range 2 {
		res, refs := benchPage(p, 4)
		if _, err := db.SaveSyncPage(ctx, src, res, refs); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := db.statements.m[upsertResourcesSQL(4)]; !ok {
		t.Fatal("the resource upsert of a sync page is not kept")
	}
	if n := count(t, db, `SELECT count(*) FROM resources`); n != 8 {
		t.Fatalf("%d resources stored, want 8", n)
	}
}

// Pages of any size are stored with a few kept statements, whatever their
// remainders: compiling a statement for each page cost a sync ~2 % of its CPU.
func TestPagesOfAnySizeUseAFewStatements(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	src := addSource(t, db, "https://a.example/fhir")
	total := 0
	for n := 1; n <= 130; n += 3 {
		res, refs := benchPage(200*n, n) // ids of different pages do not overlap
		if _, err := db.SaveSyncPage(ctx, src, res, refs); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if got := len(db.statements.m); got > 20 {
		t.Errorf("%d statements kept after pages of 1 to 130 rows; want the few sizes of rowsPerStatement", got)
	}
	if n := count(t, db, `SELECT count(*) FROM referrals`); n != total {
		t.Fatalf("%d referrals stored, want %d", n, total)
	}
	if n := count(t, db, `SELECT count(*) FROM resources`); n != total {
		t.Fatalf("%d resources stored, want %d", n, total)
	}
}
